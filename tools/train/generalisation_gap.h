// Has the DiT learnt the world or memorised its training clips? Its flow-matching loss on clips of the
// latent cache it trained on against clips of the same world stream past the cache's end, which it
// never saw (`kinora-train gap`). A loss much lower on the trained clips says more clips (a larger
// cache) would help; about the same says the model's size or the recipe limit it, not the data.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace kinora::train {

struct GapOptions {
    std::string model;           // a model folder (Diffusers layout) trained on the stream below
    uint64_t stream_seed = 0;    // the latent cache's world stream (latentStreamSeed of the run's seed)
    int64_t trained_clips = 0;   // clips in that cache: [0, trained_clips) trained on, the rest unseen
    int64_t clips = 256;         // clips in each set
    std::vector<double> sigmas{0.1, 0.3, 0.5, 0.7, 0.9};
    double frame_noise_share = 0.5;  // the training noise's share common to all frames (spec "training")
    int64_t batch = 16;
    uint64_t noise_seed = 7;
    int world_version = 1;  // the world the DiT last trained on (kinora-train all --world)
};

struct GapReport {
    std::vector<double> sigmas, trained, unseen;  // one loss per sigma for each set
};

// Encodes both sets with the folder's VAE (normalised with its latents_mean / latents_std, as the
// cache was) and measures flowLossAt on each. EngineError when the folder does not load or the
// options ask for clips the cache does not hold.
GapReport measureGeneralisationGap(const GapOptions& options);

}  // namespace kinora::train
