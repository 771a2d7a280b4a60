// Hand-written forward/backward pairs for two operations of a training step that autograd otherwise
// records as many small operations: the RMS norm (seven recorded operations, each a pass over the
// tensor and a saved intermediate) and the attention's core (three batched products and a softmax).
// On the 2-core development machines they took 5-15% of a DiT step (docs/BENCHMARKS.md, "Looked at
// again on machine H"). They are used only while autograd records (training) and only for float32 CPU
// tensors: generation keeps the plain formulas, so its numerics, and the evaluation reports made with
// them, do not change. Their backward passes are not themselves differentiable (no double backward).
#pragma once

#include <ATen/ATen.h>

namespace kinora::engine {

// True when rmsNormTraining applies: grad mode on, x or weight requiring a gradient, both float32 on
// the CPU, weight [x.size(-1)].
bool rmsNormTrainingApplies(const at::Tensor& x, const at::Tensor& weight);

// x * rsqrt(mean(x², last dim) + eps) * weight, one pass forward and one backward; the row sums are
// taken in double.
at::Tensor rmsNormTraining(const at::Tensor& x, const at::Tensor& weight, double eps);

// True when attentionTraining applies: grad mode on, one of q, k, v requiring a gradient, all float32
// on the CPU and 4-D, each of their [rows, D] matrices with unit stride along D.
bool attentionTrainingApplies(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);

// softmax(q kᵀ / sqrt(D)) v for q [B, H, L, D], k and v [B, H, S, D], one score matrix per thread at a
// time (single-threaded products run side by side rather than each product split over the threads);
// the softmax's probabilities are kept for the backward pass, as autograd keeps them. The result is
// laid out as [B, L, H, D] (returned as its [B, H, L, D] transpose), which the attention module flattens
// back into [B, L, H*D] without a copy.
at::Tensor attentionTraining(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);

}  // namespace kinora::engine
