// Versions of Kinora and of every library it runs on, for `kinora --version`, the doctor, the About
// dialog and the provenance record.
#pragma once

#include <QString>
#include <QVector>
#include <utility>

namespace kinora::studio {

struct Versions {
    QString kinora;        // project(VERSION)
    QString git_describe;  // empty outside a git checkout
    QVector<std::pair<QString, QString>> libraries;  // name, version; in display order
};

Versions versions();

// "0.1.0" or "0.1.0 (v0.1.0-3-gabc1234)".
QString kinoraVersionString();

}  // namespace kinora::studio
