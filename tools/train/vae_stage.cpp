#include "train/vae_stage.h"

#include "train/train_state.h"

#include <algorithm>
#include <filesystem>
#include <optional>

namespace kinora::train {

namespace fs = std::filesystem;

// Evaluation clips come from another stream than training clips (training seeds are `seed`).
constexpr uint64_t kEvalStream = 0x5EED0E7A1ull;

at::Tensor reconstructionLoss(const at::Tensor& recon, const at::Tensor& video, const at::Tensor& object_mask,
                              double object_weight) {
    const auto diff = recon - video;
    // Weight 1 takes the plain means: the runs made before the weight existed stay reproducible bit for bit.
    if (object_weight == 1.0) return diff.abs().mean() + diff.pow(2).mean();
    // The rim: a 5x5 maximum in each frame reaches 2 pixels beyond any pixel the objects touch.
    const auto near = at::max_pool3d(object_mask, {1, 5, 5}, {1, 1, 1}, {0, 2, 2});
    const auto weight = 1 + (object_weight - 1) * near;  // [B, 1, F, H, W], broadcast over the channels
    const auto total = weight.sum() * diff.size(1);
    return (weight * diff.abs()).sum() / total + (weight * diff.pow(2)).sum() / total;
}

double runVaeStage(engine::WanVAE& vae, const VaeStageOptions& o, const std::function<void(const VaeStageReport&)>& on_log) {
    fs::create_directories(o.dir);
    std::shared_ptr<torch::nn::Module> handle(&vae, [](torch::nn::Module*) {});
    const ModuleSet modules{{"vae", handle}};
    std::vector<at::Tensor> params;
    for (const auto& p : vae.named_parameters()) {
        const bool decoder = p.key().rfind("decoder.", 0) == 0 || p.key().rfind("post_quant_conv.", 0) == 0;
        p.value().set_requires_grad(decoder || !o.decoder_only);
        if (decoder || !o.decoder_only) params.push_back(p.value());
    }
    torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(o.lr).betas({0.9, 0.99}).weight_decay(0.0));
    Ema ema(modules, emaDecayFor(o.steps));
    Checkpoint state;
    const std::string ckpt = (fs::path(o.dir) / "ckpt").string();
    const bool resumed = loadCheckpoint(ckpt, state, modules, ema, optimizer);
    const std::string logPath = (fs::path(o.dir) / "loss.csv").string();
    if (resumed) CsvLog::truncateAfter(logPath, state.step);
    CsvLog log(logPath, {"step", "loss", "l1", "kl", "lr", "grad_norm"}, resumed);
    const std::string psnrPath = (fs::path(o.dir) / "psnr.csv").string();
    if (resumed) CsvLog::truncateAfter(psnrPath, state.step);
    CsvLog psnrLog(psnrPath, {"step", "psnr_db"}, resumed);
    if (!resumed) {
        state.step = o.start_step;
        state.seconds = o.start_seconds;
    }
    const ComputeClock clock(state.seconds);
    WorldBatchOptions wb;
    wb.frames = o.frames;
    wb.width = o.render_size;
    wb.height = o.render_size;
    vae.train();
    for (int64_t step = state.step; step < o.steps; ++step) {
        const double lr = learningRate(step, o.steps, o.warmup, o.lr) * rewarmFactor(step, o.start_step, o.warmup);
        for (auto& g : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
        // Every other step sees the whole 17-frame clip, so the last chunks (whose caches come from three
        // chunks before) are trained as well; the rest are the cheaper 9-frame windows.
        wb.frames = step % 2 == 1 ? o.long_frames : o.frames;
        const auto batch = makeWorldBatch(o.seed, batchIndices(o.seed, step, o.batch, o.pool), 0, wb);
        const auto& full = batch.video;
        auto gen = stepGenerator(o.seed, step, 1);
        // A window of each clip on the VAE's 8-pixel grid: most of them around a pixel the objects cover
        // (small windows anywhere would show mostly background, and the objects' colours and edges are
        // what the model must keep), the rest anywhere.
        const int64_t positions = (o.render_size - o.size) / 8 + 1;
        const auto offsets = at::randint(positions, {o.batch, 2}, gen, at::kLong) * 8;
        const auto pick = at::rand({o.batch}, gen);
        std::vector<at::Tensor> crops, maskCrops;
        for (int64_t b = 0; b < o.batch; ++b) {
            int64_t y0 = offsets[b][0].item<int64_t>(), x0 = offsets[b][1].item<int64_t>();
            const auto covered = at::nonzero(batch.object_mask[b][0].amax(0) > 0.5);  // [K, 2] (y, x)
            if (pick[b].item<double>() < o.object_windows && covered.size(0) > 0) {
                const auto at_ = covered[at::randint(covered.size(0), {1}, gen, at::kLong).item<int64_t>()];
                auto snap = [&](int64_t c) {
                    return std::clamp<int64_t>((c - o.size / 2 + 4) / 8 * 8, 0, o.render_size - o.size);
                };
                y0 = snap(at_[0].item<int64_t>());
                x0 = snap(at_[1].item<int64_t>());
            }
            crops.push_back(full[b].narrow(2, y0, o.size).narrow(3, x0, o.size));
            maskCrops.push_back(batch.object_mask[b].narrow(2, y0, o.size).narrow(3, x0, o.size));
        }
        const auto video = at::stack(crops).contiguous();
        auto [mean, logvar] = [&] {
            std::optional<at::NoGradGuard> frozen;
            if (o.decoder_only) frozen.emplace();
            return vae.encode(video);
        }();
        const auto z = mean + at::exp(0.5 * logvar) * at::randn(mean.sizes(), gen, mean.options());
        const auto recon = o.clamp_output ? vae.decode(z) : vae.decodeUnclamped(z);
        const auto kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean();
        const auto loss = reconstructionLoss(recon, video, at::stack(maskCrops), o.object_weight) + o.kl_weight * kl;
        optimizer.zero_grad();
        loss.backward();
        const double gn = clipGradients(params, 1.0);
        optimizer.step();
        ema.update(modules);
        const int64_t done = step + 1;
        if (done % o.log_every == 0 || done == o.steps) {
            // The log's l1 is the plain (unweighted) mean, on the logged steps only.
            const at::NoGradGuard noGrad;
            const double l1 = (recon - video).abs().mean().item<double>();
            VaeStageReport r{done, loss.item<double>(), l1, kl.item<double>()};
            log.row({static_cast<double>(done), r.loss, r.l1, r.kl, lr, gn});
            if (on_log) on_log(r);
        }
        if (done % o.checkpoint_every == 0 || done == o.steps) {
            state.step = done;
            state.seconds = clock.seconds();
            state.info = {{"stage", o.decoder_only ? "vae-decoder" : "vae"}, {"batch", std::to_string(o.batch)}, {"size", std::to_string(o.size)},
                          {"frames", std::to_string(o.frames) + "/" + std::to_string(o.long_frames)}, {"lr", std::to_string(o.lr)},
                          {"object_weight", std::to_string(o.object_weight)}};
            saveCheckpoint(ckpt, state, modules, ema, optimizer);
        }
        if (o.psnr_every > 0 && done % o.psnr_every == 0 && done % o.checkpoint_every == 0) {
            // After the checkpoint (a run stopped between the two has no row for that step: the resume
            // goes on after it). It reads the world from its own stream and touches no training state
            // (the EMA weights are swapped in and back).
            ema.swap(modules);
            WorldBatchOptions full;
            full.width = full.height = o.render_size;
            full.frames = o.long_frames;
            const double psnr = vaePsnr(vae, o.psnr_seed, o.psnr_clips, full);
            ema.swap(modules);
            psnrLog.row({static_cast<double>(done), psnr});
            if (on_log) on_log(VaeStageReport{done, 0, 0, 0, psnr});
        }
    }
    // Sampling and export use the EMA weights.
    ema.swap(modules);
    vae.eval();
    for (auto& p : params) p.set_requires_grad(false);
    return state.seconds;
}

double vaePsnr(engine::WanVAE& vae, uint64_t seed, int clips, const WorldBatchOptions& size) {
    at::InferenceMode guard;
    double total = 0;
    for (int i = 0; i < clips; ++i) {
        const auto batch = makeWorldBatch(seed ^ kEvalStream, {i}, 0, size);
        const auto recon = vae.decode(vae.encode(batch.video).first);
        // Both in [0, 255] after rounding, as a viewer sees them.
        const auto a = at::round((recon + 1) * 127.5).clamp(0, 255), b = at::round((batch.video + 1) * 127.5);
        const double mse = (a - b).pow(2).mean().item<double>();
        total += 10 * std::log10(255.0 * 255.0 / std::max(mse, 1e-10));
    }
    return total / clips;
}

}  // namespace kinora::train
