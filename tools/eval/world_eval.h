// `kinora eval --suite world`: how well a model draws the prompts of the shapes world. Prompts are
// drawn from the world's grammar (seen and held-out combinations, English and Chinese), each clip is
// generated with the model's defaults and analysed with OpenCV (tools/worldgen/analyser.h), and the
// analysis is compared with what the prompt asked for.
#pragma once

#include "engine/pipeline.h"
#include "worldgen/world.h"

#include <functional>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kinora::engine {
class WanVAE;  // engine/vae.h (LibTorch headers: kept out of this header, which Qt code includes)
}

namespace kinora::eval {

struct WorldEvalOptions {
    int prompts = 200;
    uint64_t seed = 1;
    double held_out_share = 0.3;  // prompts that use a held-out combination
    double chinese_share = 0.25;  // prompts written in Chinese (canonical Chinese form)
    int steps = 0;                // 0: the model's default
    std::string contact_sheet;    // PNG of the first 24 clips with their prompts, when set
    // Version of the world the scenes behind the prompts are drawn in (world.h). The prompts are the
    // same in every version; what the drawer is handed differs (world-vae renders it).
    int world_version = 1;
    // Every prompt asks for this motion (a quick look at one motion: 30 prompts of spinning take minutes
    // where 200 of all take half an hour); the draw is otherwise the same kind.
    std::optional<world::Motion> motion;
};

struct WorldEvalCase {
    std::string prompt;
    bool chinese = false, held_out = false;
    std::string expected, found;  // "red circle falling, snow" and the analyser's description
    // What the prompt asked for, as the world names it ("red", "circle", "falling", "snow"): the
    // fields a comparison or a per-colour count reads, where `expected` is for people.
    std::string asked_color, asked_shape, asked_motion, asked_background;
    bool color = false, shape = false, motion = false, background = false, coherent = false;
    bool falling = false, accelerating = false;  // the physics check, for falling prompts
    // The analyser's reasons, the clip's then each object's ("object 1: area wobbles (x1.40 off its
    // trend)"): why a case failed, which tells what a model in training still gets wrong.
    std::vector<std::string> reasons;
};

struct WorldEvalGroup {
    int n = 0, color = 0, shape = 0, motion = 0, background = 0, coherent = 0, falling = 0, accelerating = 0;
    nlohmann::json toJson() const;
};

struct WorldEvalReport {
    std::vector<WorldEvalCase> cases;
    WorldEvalGroup all, seen, held_out, english, chinese;
    // By the asked object's shape and motion ("circle", "growing"): where a model fails, for the model
    // card's failure modes (a shape or motion it never gets right hides in the overall figure).
    std::map<std::string, WorldEvalGroup> by_shape, by_motion;
    // What a model's clips were made with (the model's defaults where not asked): the same weights
    // score differently at other steps. 0 for drawers that sample nothing (world-vae, reference drawers).
    int steps = 0;
    double guidance = 0;
    double seconds = 0;
    nlohmann::json toJson(bool with_cases) const;
};

using EvalProgress = std::function<void(int done, int total, const WorldEvalCase&)>;

// The model under evaluation: the clip for `prompt` with `seed`. `asked` is the scene the prompt was
// written from; a model never sees it (the pipeline's ignores it), but a reference drawer can render it,
// which is how the evaluation itself is tested.
using WorldDrawer = std::function<media::Clip(const std::string& prompt, uint64_t seed, const world::SceneSpec& asked)>;

// Evaluates `draw` on `options.prompts` prompts of the world's grammar.
WorldEvalReport evaluateWorld(const WorldDrawer& draw, const WorldEvalOptions& options, const EvalProgress& progress = {});

// The same for a model: each clip generated with the model's defaults (and `options.steps`).
WorldEvalReport evaluateWorld(engine::Pipeline& pipeline, const WorldEvalOptions& options, const EvalProgress& progress = {});

// The world's own clip of each prompt, encoded (latent mean) and decoded by `vae`: what a transformer
// that put out exactly the clips' latents would score, i.e. the ceiling the VAE leaves the model. A
// VAE that blurs a small object or lets its area pulse from one latent frame to the next shows here,
// where the transformer's evaluation could not tell it from the transformer's own faults.
WorldEvalReport evaluateWorldThroughVae(const engine::WanVAE& vae, const WorldEvalOptions& options, const EvalProgress& progress = {});

}  // namespace kinora::eval
