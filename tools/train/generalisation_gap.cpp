#include "train/generalisation_gap.h"

#include "engine/error.h"
#include "engine/model_folder.h"
#include "engine/wan_pipeline.h"
#include "train/dit_stage.h"

#include <numeric>
#include <sstream>

namespace kinora::train {

GapReport measureGeneralisationGap(const GapOptions& o) {
    if (o.clips <= 0) throw engine::EngineError("gap: each set needs at least one clip, not " + std::to_string(o.clips));
    if (o.trained_clips < o.clips) {
        throw engine::EngineError("gap: the cache held " + std::to_string(o.trained_clips) + " clips, fewer than the " +
                                  std::to_string(o.clips) + " asked for; ask for at most " + std::to_string(o.trained_clips));
    }
    if (o.sigmas.empty()) throw engine::EngineError("gap: no noise levels to measure at");
    for (double s : o.sigmas) {
        if (!(s > 0 && s <= 1)) {
            std::ostringstream v;
            v << s;
            throw engine::EngineError("gap: noise levels are in (0, 1], not " + v.str());
        }
    }
    const auto summary = engine::inspectModel(o.model);
    // The pipeline loads the folder's components as generation does (and refuses a broken folder,
    // naming what is wrong); it keeps the thread count kinora-train was given.
    engine::PipelineOptions po;
    po.threads = at::get_num_threads();
    engine::WanPipeline pipe(summary, po);
    auto& tokenizer = *pipe.tokenizer;
    auto& vae = *pipe.vae;

    // Clips of the folder's default size: the size its full-resolution phase trained at.
    WorldBatchOptions world;
    world.width = summary.defaults.width;
    world.height = summary.defaults.height;
    world.frames = summary.defaults.frames;
    world.version = o.world_version;
    std::vector<int64_t> trained(static_cast<size_t>(o.clips)), unseen(static_cast<size_t>(o.clips));
    std::iota(trained.begin(), trained.end(), int64_t(0));
    std::iota(unseen.begin(), unseen.end(), o.trained_clips);
    GapReport r;
    r.sigmas = o.sigmas;
    const int maxLength = static_cast<int>(tokenizer.modelMaxLength());
    for (auto [indices, out] : {std::make_pair(&trained, &r.trained), std::make_pair(&unseen, &r.unseen)}) {
        const auto clips = encodeWorldClips(vae, o.stream_seed, *indices, world, /*caption_salt=*/1);
        at::Tensor x0;
        {
            at::InferenceMode guard;
            x0 = vae.normalizeLatents(clips.latents);
        }
        *out = flowLossAt(*pipe.text_encoder, *pipe.transformer, tokenizer, x0, clips.captions, o.sigmas, o.frame_noise_share, maxLength, o.batch,
                          o.noise_seed);
    }
    return r;
}

}  // namespace kinora::train
