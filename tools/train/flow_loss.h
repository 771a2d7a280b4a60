#pragma once
// Stage 2's training loss: flow matching (the transformer predicts v = noise - x0) with two optional
// emphases: the object weight (taken from the clean clip, so it moves the optimum: why it stays 1 is in
// DitStageOptions::object_weight) and the temporal term (a fixed form, which does not).
#include <ATen/ATen.h>

namespace kinora::train {

struct FlowLoss {
    at::Tensor total;  // what the optimiser minimises
    at::Tensor flow;   // the (object-weighted) flow-matching term alone: what the log reports, so that
                       // runs with and without the temporal term stay comparable
};

// `pred` and `target` are [B, C, T, H, W]; `weight` broadcasts to them (the object mask's weight,
// DitStageOptions::object_weight; all ones for none). `temporal_weight` adds the squared change of the
// error from one latent frame to the next, summed and divided by the error's element count:
//   total = sum(w e^2) / sum(w) + temporal_weight * sum((e[t+1] - e[t])^2) / numel(e).
// That term is a fixed positive semi-definite form (it does not depend on the clean clip, unlike the
// object weight), so the minimiser stays the conditional mean of v; what it changes is which errors a
// model of finite size fixes first: an error the same in every frame costs nothing more, one that
// flips sign from frame to frame (an object that jumps, splits or flickers) up to 1 + 4 * weight times
// as much. Zero: exactly the plain loss, bit for bit.
FlowLoss flowMatchingLoss(const at::Tensor& pred, const at::Tensor& target, const at::Tensor& weight, double temporal_weight);

}  // namespace kinora::train
