// Helpers for the parity tests against tests/data/wan-tiny (the canonical implementation's outputs).
#pragma once

#include "engine/safetensors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFile>
#include <QString>

#include <string>

namespace kinora::test {

inline std::string referenceModel() { return KINORA_TEST_DATA_DIR "/wan-tiny/tiny-wan2.1-t2v"; }
inline std::string referenceCase(const std::string& name) {
    return std::string(KINORA_TEST_DATA_DIR "/wan-tiny/cases/") + name + ".safetensors";
}

inline QJsonObject manifestCase(const QString& name) {
    QFile f(QStringLiteral(KINORA_TEST_DATA_DIR "/wan-tiny/manifest.json"));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object()["cases"].toObject()[name].toObject();
}

// max |a - b| over all elements (shapes must match: returns +inf otherwise).
inline double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) {
    if (a.sizes() != b.sizes()) return std::numeric_limits<double>::infinity();
    if (a.numel() == 0) return 0.0;
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

}  // namespace kinora::test

// Compares two tensors within `tol` and reports the error either way (so logs show the margin).
#define KINORA_COMPARE_TENSORS(actual, expected, tol)                                                   \
    do {                                                                                              \
        const double kinora_err_ = kinora::test::maxAbsDiff((actual), (expected));                      \
        qInfo("%s: max abs error %.3g (tolerance %.0e)", #actual, kinora_err_, static_cast<double>(tol)); \
        QVERIFY2(kinora_err_ <= (tol), qPrintable(QStringLiteral("%1 differs from the reference by %2")  \
                                                    .arg(QLatin1String(#actual)).arg(kinora_err_)));      \
    } while (0)
