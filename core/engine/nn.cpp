#include "engine/nn.h"

namespace kinora::engine {

namespace {
thread_local bool t_shapeOnly = false;
}

ShapeOnlyParameters::ShapeOnlyParameters() : previous_(t_shapeOnly) { t_shapeOnly = true; }
ShapeOnlyParameters::~ShapeOnlyParameters() { t_shapeOnly = previous_; }

at::Tensor emptyParameter(torch::nn::Module& m, const std::string& name, at::IntArrayRef shape) {
    const auto options = at::TensorOptions().dtype(at::kFloat).device(t_shapeOnly ? at::kMeta : at::kCPU);
    return m.register_parameter(name, at::empty(shape, options));
}

Linear::Linear(int64_t in, int64_t out, bool withBias) {
    weight = emptyParameter(*this, "weight", {out, in});
    if (withBias) bias = emptyParameter(*this, "bias", {out});
}

LayerNorm::LayerNorm(int64_t d, double e, bool affine) : dim(d), eps(e) {
    if (affine) {
        weight = emptyParameter(*this, "weight", {d});
        bias = emptyParameter(*this, "bias", {d});
    }
}

at::Tensor LayerNorm::forward(const at::Tensor& x) const {
    return at::layer_norm(x, {dim}, weight, bias, eps);
}

RMSNorm::RMSNorm(int64_t d, double e) : eps(e) { weight = emptyParameter(*this, "weight", {d}); }

at::Tensor RMSNorm::forward(const at::Tensor& x) const {
    const auto xf = x.to(at::kFloat);
    const auto normed = xf * at::rsqrt(xf.pow(2).mean(-1, true) + eps);
    return normed.to(x.scalar_type()) * weight;
}

}  // namespace kinora::engine
