// Stage 2: the UMT5 text encoder and the diffusion transformer, trained jointly by flow matching on
// latents of world clips precomputed once with the stage-1 VAE.
#pragma once

#include "engine/text_encoder.h"
#include "engine/tokenizer.h"
#include "engine/transformer.h"
#include "engine/vae.h"
#include "train/train_state.h"
#include "train/world_batch.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kinora::train {

// Latents of clips [0, count) of the world stream `seed`, normalised per channel, with the objects'
// coverage on the latent grid (for the loss weighting).
struct LatentCache {
    at::Tensor latents;   // [N, z, T, h, w] float16, normalised
    at::Tensor masks;     // [N, 1, T, h, w] float16 in [0, 1]
    std::vector<double> mean, std;  // per channel, of the raw latents (go into vae/config.json)
    uint64_t seed = 0;
    WorldBatchOptions world;
};

// Encodes `count` clips with `vae` (encoder mean), computes the channel statistics and normalises.
// Saved to / loaded from `path` (safetensors) so it is computed once. While it is built, shards of
// `shardClips` clips (a multiple of 8) go to `path`.parts/: a build interrupted (an hour at 128x128 on
// two cores) goes on from the last whole shard of the same clips and VAE weights, and ends with the
// same cache; `progress` is called after each shard. With `statsFrom`, the latents are normalised with
// that cache's statistics instead (a low-resolution cache for a first training phase must use the
// statistics the model is shipped with).
// `first_clip` > 0 encodes clips [first_clip, first_clip + count) instead (with `statsFrom`: the clips
// after an existing cache's, to widen it with widenLatentCache).
LatentCache buildLatentCache(engine::WanVAE& vae, uint64_t seed, int64_t count, const WorldBatchOptions& world,
                             const std::string& path, const std::function<void(int64_t done)>& progress = {},
                             const LatentCache* statsFrom = nullptr, int64_t shardClips = 256, int64_t first_clip = 0);
LatentCache loadLatentCache(const std::string& path);

// `cache` followed by `after`, the clips that follow it in the same world stream, normalised alike
// (buildLatentCache with first_clip = the cache's size and statsFrom = the cache): row i is clip i.
LatentCache widenLatentCache(const LatentCache& cache, const LatentCache& after);

// `cache`, whose row i is clip first_clip + i of its stream, as version `version` of the world draws
// it: the clips whose scene differs between the cache's version and that one (world::sameScene;
// from 1 to 2, those with a spinning object) encoded again by `vae` and normalised with the cache's
// statistics, every other row kept as it is. Saved to `path` (its version in the metadata);
// `progress` gets the clips encoded so far and how many differ. A run moves to a later world
// part-way (--world) re-encoding a tenth of its clips instead of all of them.
LatentCache reworldLatentCache(engine::WanVAE& vae, const LatentCache& cache, int version, const std::string& path,
                               int64_t first_clip = 0, const std::function<void(int64_t done, int64_t of)>& progress = {});

// The clip indices batches draw from when clips of one motion are oversampled (--oversample): every
// row of `cache` once, in order, and each row whose scene (as the cache's version of the world draws
// it) has an object with `motion` `factor` times in all, right after itself. batchIndices over this
// pool draws those clips `factor` times as often as the others; factor 1 gives 0 .. N-1. Throws
// EngineError for a factor below 1, or when no clip of the cache has that motion (oversampling it
// would silently train as before).
std::vector<int64_t> oversampledPool(const LatentCache& cache, world::Motion motion, int factor);

// Raw latents [N, z, T, h, w] (the encoder's mean, float32, not normalised) and object masks on the
// latent grid [N, 1, T, h, w] (float16) of clips `indices` of the world stream `seed`, with one
// caption of each (a paraphrase chosen by `caption_salt`, makeWorldBatch). What the latent cache
// holds, for any clips: also those past its end, which the DiT never saw.
struct EncodedClips {
    at::Tensor latents, masks;
    std::vector<std::string> captions;
};
EncodedClips encodeWorldClips(engine::WanVAE& vae, uint64_t seed, const std::vector<int64_t>& indices,
                              const WorldBatchOptions& world, uint64_t caption_salt = 0);

// The flow-matching loss of `text` and `transformer` (training's plain term: no object weight, no
// temporal term, no caption dropout) on normalised latents `x0` [N, z, T, h, w] with their captions,
// at each of `sigmas`, without gradients; one mean squared error per sigma. The noise of each batch
// of `batch` clips comes from `noise_seed` and the batch's place alone, so two sets of N clips meet the
// same noise: the difference of their losses is the model's, not the draw's. The loss on clips the
// model trained on against clips it never saw (`kinora-train gap`) says whether it learnt the world
// or memorised its training clips.
std::vector<double> flowLossAt(engine::Umt5Encoder& text, engine::WanTransformer& transformer, const engine::Tokenizer& tokenizer,
                               const at::Tensor& x0, const std::vector<std::string>& captions, const std::vector<double>& sigmas,
                               double frame_noise_share, int max_length, int64_t batch, uint64_t noise_seed);

struct DitStageOptions {
    std::string dir;
    int64_t steps = 4000;
    // Steps where the learning-rate schedule starts again (cyclicLearningRate): the ends of earlier
    // plans of this phase.
    std::vector<int64_t> restarts;
    int64_t batch = 32;
    double lr = 5e-4;
    // Peak of each learning-rate cycle (restarts.size() + 1 values); empty: `lr` for every cycle.
    std::vector<double> cycle_lr;
    int64_t warmup = 200;
    double ema_decay = 0.998;
    double caption_dropout = 0.1;  // share of empty captions: the unconditional branch of guidance
    // Loss weight on latent cells the objects cover (1: none). A weight > 1 biases the model: the mask
    // comes from the clean clip, so where the noisy input does not yet tell where the object is (most
    // training steps: the median sigma is 0.75 with shift 3) the loss is minimised by E[w v | x_t] /
    // E[w | x_t], which pulls every uncertain cell towards the object's colour. Measured on kinora-tiny's
    // 64x64 phase from the same step-1400 checkpoint: 350 more steps at weight 10 still flooded the
    // frame with the prompt's colour (at step 1500 it did so at guidance 1 as at 5: not guidance); at
    // weight 1 backgrounds came back (black, snow, white) with the object as one region.
    double object_weight = 1.0;
    // Weight of the loss on the change of the error between latent frames (flowMatchingLoss), from step
    // `temporal_from` on (0 before it, so a run that took it up part-way stays reproducible by one
    // command). 0: the plain flow-matching loss.
    double temporal_weight = 0;
    int64_t temporal_from = 0;
    double shift = 3.0;            // timestep shift, as at inference
    // From step `late_shift_from` on (-1: never), training timesteps use `late_shift` instead: a run
    // that changed its shift part-way stays reproducible from scratch by one command.
    double late_shift = 0;
    int64_t late_shift_from = -1;
    // Share of the noise's variance common to all latent frames (engine::mixFrameNoise; the spec's
    // frame_noise_share), from step `frame_noise_from` on; before it, independent frames (a run that
    // took it up part-way stays reproducible from scratch by one command).
    double frame_noise_share = 0;
    int64_t frame_noise_from = 0;
    // From step `late_frame_noise_from` on (-1: never), the training noise has `late_frame_noise_share`
    // instead: an A/B of the share from a checkpoint stays reproducible from scratch by one command.
    double late_frame_noise_share = 0;
    int64_t late_frame_noise_from = -1;
    // From step `chinese_words_from` on (-1: never), captions are tokenized by `chinese_words_tokenizer`
    // (train/chinese_words.h: the run's tokenizer with each Chinese word one piece), and at that step
    // the text encoder's embedding rows `chinese_words_rows` start again (reinitEmbeddingRows). The
    // checkpoints record "chinese_words" ("yes" after that step), which tells export and carry which
    // tokenizer the weights go with.
    int64_t chinese_words_from = -1;
    std::shared_ptr<const engine::Tokenizer> chinese_words_tokenizer;
    std::vector<EmbeddingRowInit> chinese_words_rows;
    // From step `from` on, batches are drawn from `cache` instead (the last of these whose step has
    // come, in the order given): clips after the first cache's (widenLatentCache, --wider-clips: a
    // model that has begun to memorise its training clips meets new ones), or the same clips in a later
    // version of the world (reworldLatentCache, --world). The run stays reproducible from scratch by
    // one command.
    struct LaterCache {
        int64_t from = 0;
        std::shared_ptr<const LatentCache> cache;
    };
    std::vector<LaterCache> later_caches;
    // The cache step `step` draws from: the last of later_caches whose step has come, else `first`.
    const LatentCache& cacheAt(const LatentCache& first, int64_t step) const {
        const LatentCache* drawn = &first;
        for (const auto& later : later_caches) {
            if (step >= later.from) drawn = later.cache.get();
        }
        return *drawn;
    }
    // From step `oversample_from` on (-1: never), clips with an object of `oversample_motion` are drawn
    // `oversample_factor` times as often as the others (oversampledPool, of whichever cache the step
    // draws from): a motion the model has not learnt gets more of each batch. The run stays
    // reproducible from scratch by one command.
    world::Motion oversample_motion = world::Motion::Spinning;
    int oversample_factor = 1;
    int64_t oversample_from = -1;
    int max_length = 64;
    uint64_t seed = 2;
    int64_t checkpoint_every = 200;
    // `on_checkpoint_or_sample` also runs every `sample_every` steps (0: only at checkpoints), so that
    // contact sheets and evaluations need not fall on checkpoint steps.
    int64_t sample_every = 0;
    int64_t log_every = 10;
    double chinese_share = 0.3;
    // Forward passes under CPU autocast to bfloat16 (weights, optimiser, loss and EMA stay float32).
    // Measured on a processor with AVX512-BF16: a step of kinora-tiny's transformer at 128x128, batch
    // 16, 1.3-1.4 s instead of 2.4 s; where bfloat16 is emulated it is slower.
    bool bf16 = false;
    // A warm start (weights carried in from an earlier machine: recipe.h, writeCarry): the step to start from
    // when <dir> has no checkpoint yet. The optimiser starts afresh, so the learning rate warms up again
    // over `warmup` steps from there.
    int64_t start_step = 0;
    double start_seconds = 0;  // compute time of the weights it starts from (Checkpoint::seconds)
};

struct DitStageReport {
    int64_t step = 0;
    double loss = 0, lr = 0, grad_norm = 0, seconds_per_step = 0;
};

// Trains both in place, resuming from <dir>/ckpt; `on_log` after each logged step and
// `on_checkpoint_or_sample` after each checkpoint and every `sample_every` steps (e.g. to sample and
// evaluate with the EMA weights swapped in: `swap_ema` swaps them in and out). Returns the compute
// time in seconds up to the end of the stage, counted from `start_seconds` (Checkpoint::seconds).
double runDitStage(engine::Umt5Encoder& text, engine::WanTransformer& transformer, const engine::Tokenizer& tokenizer,
                 const LatentCache& cache, const DitStageOptions& options,
                 const std::function<void(const DitStageReport&)>& on_log = {},
                 const std::function<void(int64_t step, const std::function<void()>& swap_ema)>& on_checkpoint_or_sample = {});

}  // namespace kinora::train
