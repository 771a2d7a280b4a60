// Pictures of training progress: a contact sheet of sampled clips and a plot of the loss log.
#pragma once

#include "media/frames.h"

#include <string>
#include <vector>

namespace kinora::train {

// One row per clip: frames 0, 4, 8, 12, 16 (or evenly spaced), the label printed under the row
// (ASCII only: OpenCV's fonts have no Chinese; another label is refused with an EngineError). Written
// as PNG.
void writeContactSheet(const std::string& path, const std::vector<media::Clip>& clips,
                       const std::vector<std::string>& labels);

// Plots column `column` of a CSV log (first column = step) on a log scale, smoothed, as PNG.
void writeLossPlot(const std::string& csv, const std::string& png, const std::string& column = "loss");

}  // namespace kinora::train
