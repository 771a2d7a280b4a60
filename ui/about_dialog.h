// Help > About: Kinora's version and the versions of the libraries it runs on, the model card of
// every installed model, and the licences (Kinora's own and the third-party components').
#pragma once

#include <QDialog>

class QTabWidget;
class QTextBrowser;

namespace kinora::ui {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    // `dataDir` is the data folder in use: it decides the model search path (studio::listModels).
    explicit AboutDialog(const QString& dataDir, QWidget* parent = nullptr);

    QTabWidget* tabs() const { return tabs_; }
    QTextBrowser* versionsView() const { return versions_; }
    QTextBrowser* modelsView() const { return models_; }
    QTextBrowser* licencesView() const { return licences_; }

    // The markdown shown on the Models tab (one section per model, its README.md as the card).
    static QString modelCardsMarkdown(const QString& dataDir);
    // Kinora's licence text (built into the program) and the components' licence names.
    static QString licenceText();

private:
    QTabWidget* tabs_;
    QTextBrowser* versions_;
    QTextBrowser* models_;
    QTextBrowser* licences_;
};

}  // namespace kinora::ui
