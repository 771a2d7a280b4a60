#include "train/flow_loss.h"

namespace kinora::train {

FlowLoss flowMatchingLoss(const at::Tensor& pred, const at::Tensor& target, const at::Tensor& weight, double temporal_weight) {
    const auto err = pred - target;
    FlowLoss out;
    out.flow = (weight * err.pow(2)).mean() / weight.mean();
    out.total = out.flow;
    if (temporal_weight > 0 && err.size(2) > 1) {
        const int64_t t = err.size(2);
        const auto change = err.narrow(2, 1, t - 1) - err.narrow(2, 0, t - 1);
        out.total = out.flow + temporal_weight * change.pow(2).sum() / static_cast<double>(err.numel());
    }
    return out;
}

}  // namespace kinora::train
