// Building blocks shared by the model components. Parameters are registered under the Diffusers /
// Transformers names so checkpoints load by name, and created with at::empty: untouched memory is never
// resident, so loading replaces them without ever holding two copies of the weights.
#pragma once

#include <torch/nn/module.h>

#include <string>

namespace kinora::engine {

// y = x W^T + b
class Linear : public torch::nn::Module {
public:
    Linear(int64_t in, int64_t out, bool bias = true);
    at::Tensor forward(const at::Tensor& x) const { return at::linear(x, weight, bias); }
    at::Tensor weight, bias;  // bias undefined when built without one
};

// Layer norm over the last dimension, optionally affine (weight, bias).
class LayerNorm : public torch::nn::Module {
public:
    LayerNorm(int64_t dim, double eps, bool affine);
    at::Tensor forward(const at::Tensor& x) const;
    at::Tensor weight, bias;
    int64_t dim;
    double eps;
};

// Root-mean-square norm over the last dimension with a learned scale, computed in float32 (as the
// reference implementations do) and cast back.
class RMSNorm : public torch::nn::Module {
public:
    RMSNorm(int64_t dim, double eps);
    at::Tensor forward(const at::Tensor& x) const;
    at::Tensor weight;
    double eps;
};

// A module whose children are named "0", "1", ... (torch.nn.ModuleList naming).
template <typename T>
class ModuleList : public torch::nn::Module {
public:
    void add(std::shared_ptr<T> m) {
        register_module(std::to_string(items.size()), m);
        items.push_back(std::move(m));
    }
    std::vector<std::shared_ptr<T>> items;
};

// Registers an uninitialised parameter of `shape` (float32) under `name`.
at::Tensor emptyParameter(torch::nn::Module& m, const std::string& name, at::IntArrayRef shape);

// While one of these lives on a thread, emptyParameter makes shape-only tensors (LibTorch's meta
// device: no memory at all). Loaders build a model this way first and check its names and shapes
// against the checkpoint, so a config with absurd sizes (say vocab_size 10^7 x d_model 65536, 2.6 TB)
// is rejected with the weight mismatch before anything of that size is allocated.
class ShapeOnlyParameters {
public:
    ShapeOnlyParameters();
    ~ShapeOnlyParameters();
    ShapeOnlyParameters(const ShapeOnlyParameters&) = delete;
    ShapeOnlyParameters& operator=(const ShapeOnlyParameters&) = delete;

private:
    bool previous_;
};

}  // namespace kinora::engine
