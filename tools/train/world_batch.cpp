#include "train/world_batch.h"

#include "worldgen/captions.h"
#include "worldgen/world.h"

namespace kinora::train {

world::SamplingOptions samplingOptionsOf(const WorldBatchOptions& o) {
    world::SamplingOptions so;
    so.frames = o.frames;
    so.width = o.width;
    so.height = o.height;
    so.two_object_share = o.two_object_share;
    so.version = o.version;
    return so;
}

WorldBatch makeWorldBatch(uint64_t base_seed, const std::vector<int64_t>& indices, uint64_t caption_salt,
                          const WorldBatchOptions& o) {
    const auto B = static_cast<int64_t>(indices.size());
    WorldBatch batch;
    auto video = at::empty({B, o.frames, o.height, o.width, 3}, at::kByte);
    batch.object_mask = at::zeros({B, 1, o.frames, o.height, o.width});
    const world::SamplingOptions so = samplingOptionsOf(o);
    for (int64_t b = 0; b < B; ++b) {
        const uint64_t seed = world::clipSeed(base_seed, static_cast<uint64_t>(indices[b]));
        const auto scene = world::sampleScene(seed, so);
        const auto clip = world::render(scene);
        auto* dst = video[b].data_ptr<uint8_t>();
        const size_t frameBytes = static_cast<size_t>(o.width) * o.height * 3;
        for (int f = 0; f < o.frames; ++f) std::memcpy(dst + frameBytes * f, clip.frames[f].rgb.data(), frameBytes);
        auto mask = batch.object_mask[b][0];
        for (size_t obj = 0; obj < scene.objects.size(); ++obj) {
            for (int f = 0; f < o.frames; ++f) {
                const auto cov = world::objectMask(scene, static_cast<int>(obj), f);
                const auto t = at::from_blob(const_cast<uint8_t*>(cov.data()), {o.height, o.width}, at::kByte).to(at::kFloat) / 255.0;
                mask[f] = at::maximum(mask[f], t);
            }
        }
        batch.captions.push_back(world::randomCaption(scene, seed ^ (caption_salt * 0x9E3779B97F4A7C15ull), o.chinese_share));
        batch.canonical.push_back(world::canonicalCaption(scene));
    }
    batch.video = video.permute({0, 4, 1, 2, 3}).to(at::kFloat).div_(127.5).sub_(1.0).contiguous();
    return batch;
}

at::Tensor maskToLatentGrid(const at::Tensor& mask, int temporal, int spatial) {
    // First frame alone, then each group of `temporal` frames (the causal VAE's chunking).
    const auto first = mask.narrow(2, 0, 1);
    const int64_t rest = mask.size(2) - 1;
    std::vector<at::Tensor> parts{at::max_pool3d(first, {1, spatial, spatial})};
    if (rest > 0) parts.push_back(at::max_pool3d(mask.narrow(2, 1, rest), {temporal, spatial, spatial}));
    return at::cat(parts, 2);
}

}  // namespace kinora::train
