#include "studio/model_catalog.h"

#include "studio/data_paths.h"
#include "studio/error.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace kinora::studio {

QVector<CatalogEntry> listModels(const QString& dataDir) {
    QVector<CatalogEntry> out;
    QStringList seen;
    auto add = [&](const QString& path, const QString& source) {
        const QString canonical = QFileInfo(path).canonicalFilePath();
        if (seen.contains(canonical)) return;
        seen << canonical;
        out.push_back({source, engine::inspectModel(QDir::cleanPath(path).toStdString())});
    };
    for (const auto& folder : modelSearchPath(dataDir)) {
        if (!folder.exists) continue;
        if (engine::isModelFolder(folder.path.toStdString())) {
            add(folder.path, folder.source);
            continue;
        }
        const auto subdirs = QDir(folder.path).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        for (const auto& sub : subdirs) {
            if (engine::isModelFolder(sub.filePath().toStdString())) add(sub.filePath(), folder.source);
        }
    }
    return out;
}

engine::ModelSummary resolveModel(const QString& nameOrDir, const QString& dataDir) {
    const QString wanted = nameOrDir.isEmpty() ? QString::fromLatin1(kDefaultModelName) : nameOrDir;
    engine::ModelSummary found;
    bool matched = false;
    const QFileInfo asPath(wanted);
    if (wanted.contains(QLatin1Char('/')) || (asPath.isDir() && engine::isModelFolder(wanted.toStdString()))) {
        if (!asPath.isDir()) throw StudioError("model folder " + wanted.toStdString() + " does not exist");
        if (!engine::isModelFolder(wanted.toStdString())) {
            throw StudioError(wanted.toStdString() + " is not a model folder (no model_index.json): pass a Diffusers-format Wan2.1 folder");
        }
        found = engine::inspectModel(QDir::cleanPath(asPath.absoluteFilePath()).toStdString());
        matched = true;
    } else {
        for (const auto& entry : listModels(dataDir)) {
            if (QString::fromStdString(entry.summary.name) == wanted) {
                found = entry.summary;
                matched = true;
                break;
            }
        }
    }
    if (!matched) {
        QStringList names;
        for (const auto& entry : listModels(dataDir)) names << QString::fromStdString(entry.summary.name);
        throw StudioError("no model named '" + wanted.toStdString() + "' (available: " +
                          (names.isEmpty() ? std::string("none") : names.join(QStringLiteral(", ")).toStdString()) +
                          "); `kinora models` lists them and where Kinora looks");
    }
    if (!found.ok()) throw StudioError("model '" + found.name + "' cannot be used: " + found.error);
    return found;
}

QString weightsHash(const engine::ModelSummary& model) {
    constexpr qint64 kWhole = 256ll << 20, kEdge = 16ll << 20;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const auto& c : model.components) {
        for (const auto& file : c.files) {
            QFile f(QString::fromStdString(file));
            if (!f.open(QIODevice::ReadOnly)) throw StudioError(file + ": cannot be read to compute the weights hash");
            const qint64 size = f.size();
            hash.addData(QByteArray::fromStdString(c.name + "/" + QFileInfo(f).fileName().toStdString() + ":" + std::to_string(size)));
            if (size <= kWhole) {
                hash.addData(&f);
            } else {
                hash.addData(f.read(kEdge));
                f.seek(size - kEdge);
                hash.addData(f.read(kEdge));
            }
        }
    }
    return QString::fromLatin1(hash.result().toHex());
}

}  // namespace kinora::studio
