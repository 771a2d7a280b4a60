#include "ui/about_dialog.h"

#include "studio/model_catalog.h"
#include "studio/versions.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLocale>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace kinora::ui {
namespace {

// Hugging Face model cards start with YAML metadata between "---" lines; it is for machines.
QString withoutFrontMatter(const QString& markdown) {
    if (!markdown.startsWith(QLatin1String("---"))) return markdown;
    const int end = markdown.indexOf(QLatin1String("\n---"), 3);
    if (end < 0) return markdown;
    const int next = markdown.indexOf(QLatin1Char('\n'), end + 4);
    return next < 0 ? QString() : markdown.mid(next + 1);
}

// A model card is the author's text: headings are pushed one level down so that each stays inside
// its model's section.
QString demoteHeadings(const QString& markdown) {
    QStringList lines = markdown.split(QLatin1Char('\n'));
    bool fenced = false;
    for (auto& line : lines) {
        if (line.startsWith(QLatin1String("```"))) fenced = !fenced;
        if (!fenced && line.startsWith(QLatin1Char('#'))) line.prepend(QLatin1Char('#'));
    }
    return lines.join(QLatin1Char('\n'));
}

QString escapeMarkdown(QString text) {
    for (const char c : {'\\', '*', '_', '`', '[', ']', '#', '<', '>'}) {
        text.replace(QLatin1Char(c), QStringLiteral("\\") + QLatin1Char(c));
    }
    return text;
}

}  // namespace

QString AboutDialog::modelCardsMarkdown(const QString& dataDir) {
    const auto models = studio::listModels(dataDir);
    if (models.isEmpty()) return tr("No models are installed.");
    QString md;
    for (const auto& e : models) {
        const QString name = QString::fromStdString(e.summary.name);
        const QString path = QString::fromStdString(e.summary.path);
        md += QStringLiteral("# %1\n\n").arg(escapeMarkdown(name));
        md += tr("Folder: %1 (%2)").arg(escapeMarkdown(QDir::toNativeSeparators(path)), e.source) + QStringLiteral("\n\n");
        if (e.summary.ok()) {
            md += tr("%1 parameters, %2 on disk")
                      .arg(QLocale().toString(double(e.summary.parameters()) / 1e6, 'f', 1) + tr(" M"),
                           QLocale().formattedDataSize(qint64(e.summary.bytes())))
                + QStringLiteral("\n\n");
        } else {
            md += tr("This model cannot be used: %1").arg(escapeMarkdown(QString::fromStdString(e.summary.error))) +
                  QStringLiteral("\n\n");
        }
        QFile card(QDir(path).filePath(QStringLiteral("README.md")));
        if (card.open(QIODevice::ReadOnly)) {
            md += demoteHeadings(withoutFrontMatter(QString::fromUtf8(card.readAll()))) + QStringLiteral("\n\n");
        } else {
            md += tr("This model has no model card (README.md).") + QStringLiteral("\n\n");
        }
    }
    return md;
}

QString AboutDialog::licenceText() {
    // Name, licence, what Kinora uses it for: the libraries Kinora links (versions on the first tab).
    static const char* const kComponents[][3] = {
        {"LibTorch (PyTorch)", "BSD-3-Clause", QT_TR_NOOP("the diffusion engine")},
        {"Qt 6", "LGPL-3.0", QT_TR_NOOP("the user interface, history and settings")},
        {"FFmpeg", "LGPL-2.1-or-later (GPL-2.0-or-later when built with libx264)", QT_TR_NOOP("video encoding and decoding")},
        {"x264", "GPL-2.0-or-later", QT_TR_NOOP("H.264 encoding, through FFmpeg")},
        {"libvpx", "BSD-3-Clause", QT_TR_NOOP("VP9 encoding, through FFmpeg")},
        {"OpenCV", "Apache-2.0", QT_TR_NOOP("scaling, the visible mark, thumbnails")},
        {"SQLite", QT_TR_NOOP("public domain"), QT_TR_NOOP("the history database")},
        {"SentencePiece", "Apache-2.0", QT_TR_NOOP("the prompt tokenizer")},
        {"nlohmann/json", "MIT", QT_TR_NOOP("model configuration and provenance records")},
        {"OpenBLAS", "BSD-3-Clause", QT_TR_NOOP("fast matrix products")},
    };
    QString text = tr("Third-party components") + QStringLiteral("\n\n");
    for (const auto& c : kComponents) {
        text += QStringLiteral("  %1 \u2014 %2 (%3)\n")
                    .arg(QString::fromLatin1(c[0]), tr(c[1]), tr(c[2]));
    }
    text += QStringLiteral("\n") + tr("Kinora") + QStringLiteral("\n\n");
    QFile licence(QStringLiteral(":/kinora/LICENSE"));
    if (licence.open(QIODevice::ReadOnly)) {
        text += QString::fromUtf8(licence.readAll());
    } else {
        text += tr("The licence text is missing from this build; Kinora is licensed under the Apache License 2.0.");
    }
    return text;
}

AboutDialog::AboutDialog(const QString& dataDir, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("About Kinora"));
    resize(640, 520);
    tabs_ = new QTabWidget(this);

    const auto v = studio::versions();
    QString html = QStringLiteral("<h2>Kinora %1</h2>").arg(studio::kinoraVersionString().toHtmlEscaped());
    html += QStringLiteral("<p>") + tr("A desktop text-to-video studio. Every clip it makes is labelled as AI-generated.") +
            QStringLiteral("</p><table cellpadding=\"3\">");
    for (const auto& [name, version] : v.libraries) {
        html += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>")
                    .arg(name.toHtmlEscaped(), version.isEmpty() ? tr("unknown") : version.toHtmlEscaped());
    }
    html += QStringLiteral("</table>");
    versions_ = new QTextBrowser(this);
    versions_->setHtml(html);
    tabs_->addTab(versions_, tr("Versions"));

    models_ = new QTextBrowser(this);
    models_->setOpenExternalLinks(true);
    models_->setMarkdown(modelCardsMarkdown(dataDir));
    tabs_->addTab(models_, tr("Models"));

    licences_ = new QTextBrowser(this);
    licences_->setPlainText(licenceText());
    tabs_->addTab(licences_, tr("Licences"));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &AboutDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(tabs_);
    layout->addWidget(buttons);
}

}  // namespace kinora::ui
