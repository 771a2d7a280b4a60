// The models Kinora can use: every model folder under the model search path (KINORA_MODEL_PATH,
// <data>/models, the bundled models), each inspected by the engine without loading weights.
#pragma once

#include "engine/model_folder.h"

#include <QString>
#include <QVector>

namespace kinora::studio {

// The bundled model, used when no model is named.
inline constexpr const char* kDefaultModelName = "kinora-tiny";

struct CatalogEntry {
    QString source;  // where it was found: "KINORA_MODEL_PATH", "user", "bundled"
    engine::ModelSummary summary;
};

// Every model folder (a folder with model_index.json) directly inside the search path's folders, or a
// search-path folder that is itself a model. Broken folders are included with their error.
QVector<CatalogEntry> listModels(const QString& dataDir);

// A model by folder path (absolute or relative, must contain model_index.json) or by name (the folder
// name, searched in order). Throws StudioError when nothing matches or the model is broken.
engine::ModelSummary resolveModel(const QString& nameOrDir, const QString& dataDir);

// SHA-256 (hex) identifying the weights: every weight file's size and its bytes; files over 256 MiB
// contribute their first and last 16 MiB (hashing an 11 GB encoder at every start would take minutes).
QString weightsHash(const engine::ModelSummary& model);

}  // namespace kinora::studio
