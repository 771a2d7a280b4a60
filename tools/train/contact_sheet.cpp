#include "train/contact_sheet.h"

#include "engine/error.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace kinora::train {

void writeContactSheet(const std::string& path, const std::vector<media::Clip>& clips, const std::vector<std::string>& labels) {
    if (clips.empty()) return;
    // OpenCV's fonts draw ASCII only: another label would come out as a row of '?' (as a Chinese prompt
    // once did), so it is refused and the caller labels the row by its meaning instead.
    for (const auto& label : labels) {
        if (std::any_of(label.begin(), label.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 128; })) {
            throw engine::EngineError("contact sheet label \"" + label + "\" is not ASCII, which the sheet's font cannot draw; " +
                                      "label the row in ASCII (e.g. \"(in Chinese) ...\")");
        }
    }
    const int cols = 5, cell = 128, pad = 4, labelH = 18;
    const int rows = static_cast<int>(clips.size());
    cv::Mat sheet(rows * (cell + labelH + pad) + pad, cols * (cell + pad) + pad, CV_8UC3, cv::Scalar(30, 30, 30));
    for (int r = 0; r < rows; ++r) {
        const auto& clip = clips[static_cast<size_t>(r)];
        const int n = static_cast<int>(clip.frames.size());
        for (int c = 0; c < cols && n > 0; ++c) {
            const int f = std::min(n - 1, c * (n - 1) / (cols - 1));
            const auto& fr = clip.frames[static_cast<size_t>(f)];
            cv::Mat rgb(fr.height, fr.width, CV_8UC3, const_cast<uint8_t*>(fr.rgb.data()));
            cv::Mat bgr, scaled;
            cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
            cv::resize(bgr, scaled, {cell, cell}, 0, 0, cv::INTER_NEAREST);
            scaled.copyTo(sheet(cv::Rect(pad + c * (cell + pad), pad + r * (cell + labelH + pad), cell, cell)));
        }
        const std::string label = r < static_cast<int>(labels.size()) ? labels[static_cast<size_t>(r)] : "";
        cv::putText(sheet, label, {pad, pad + r * (cell + labelH + pad) + cell + 13}, cv::FONT_HERSHEY_SIMPLEX, 0.42,
                    cv::Scalar(230, 230, 230), 1, cv::LINE_AA);
    }
    if (!cv::imwrite(path, sheet)) throw engine::EngineError(path + ": cannot write the contact sheet");
}

void writeLossPlot(const std::string& csv, const std::string& png, const std::string& column) {
    std::ifstream in(csv);
    std::string line;
    if (!std::getline(in, line)) return;
    std::vector<std::string> header;
    std::stringstream hs(line);
    for (std::string h; std::getline(hs, h, ',');) header.push_back(h);
    const auto col = std::find(header.begin(), header.end(), column) - header.begin();
    if (col >= static_cast<long>(header.size())) return;
    std::vector<double> xs, ys;
    while (std::getline(in, line)) {
        std::stringstream ls(line);
        std::vector<double> v;
        for (std::string c; std::getline(ls, c, ',');) v.push_back(std::stod(c));
        if (static_cast<long>(v.size()) > col && v[static_cast<size_t>(col)] > 0) {
            xs.push_back(v[0]);
            ys.push_back(std::log10(v[static_cast<size_t>(col)]));
        }
    }
    if (xs.size() < 2) return;
    // Exponential smoothing so the trend shows through the per-batch noise.
    std::vector<double> sm(ys.size());
    double acc = ys[0];
    for (size_t i = 0; i < ys.size(); ++i) sm[i] = acc = 0.9 * acc + 0.1 * ys[i];
    const int W = 800, H = 400, m = 50;
    cv::Mat img(H, W, CV_8UC3, cv::Scalar(255, 255, 255));
    const double x0 = xs.front(), x1 = xs.back();
    const double y0 = *std::min_element(ys.begin(), ys.end()), y1 = *std::max_element(ys.begin(), ys.end());
    auto px = [&](double x, double y) {
        return cv::Point(m + static_cast<int>((x - x0) / std::max(1e-9, x1 - x0) * (W - 2 * m)),
                         H - m - static_cast<int>((y - y0) / std::max(1e-9, y1 - y0) * (H - 2 * m)));
    };
    for (size_t i = 1; i < xs.size(); ++i) cv::line(img, px(xs[i - 1], ys[i - 1]), px(xs[i], ys[i]), cv::Scalar(200, 200, 200), 1);
    for (size_t i = 1; i < xs.size(); ++i) cv::line(img, px(xs[i - 1], sm[i - 1]), px(xs[i], sm[i]), cv::Scalar(180, 60, 20), 2, cv::LINE_AA);
    cv::rectangle(img, {m, m}, {W - m, H - m}, cv::Scalar(0, 0, 0));
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s (log10) %.3g .. %.3g, steps %.0f .. %.0f", column.c_str(), y0, y1, x0, x1);
    cv::putText(img, buf, {m, m - 15}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    cv::imwrite(png, img);
}

}  // namespace kinora::train
