// Everything kinora-studio does between QApplication and the event loop: its command line, language,
// theme, data folder, the job queue, the main window, and the screenshot mode (render the window,
// optionally after generating a clip, into a PNG and exit).
#pragma once

#include <QElapsedTimer>
#include <QSize>
#include <QString>
#include <QStringList>

#include <memory>

class QApplication;
class QTranslator;

namespace kinora::studio {
class JobQueue;
}

namespace kinora::ui {

class MainWindow;

struct StudioOptions {
    QString dataDir;     // --data-dir; empty: the settings' folder, KINORA_DATA_DIR or the default
    QString language;    // --lang; empty: the settings' choice, else the system locale
    QString screenshot;  // --screenshot FILE
    QString prompt;      // --prompt TEXT (typed into the prompt box; generated with --wait-done)
    QString model;       // --model NAME|DIR: the model the prompt panel starts with (this run only)
    QString file;        // FILE: a clip to open (as if dropped on the window)
    bool waitDone = false;
    QSize size;          // --size WxH of the window (screenshots)
    bool reportStartup = false;  // --report-startup: print the time to a usable window
};

class StudioApp {
public:
    StudioApp();
    ~StudioApp();
    // Parses the command line of `app`, opens the studio and runs the event loop; returns the exit code.
    int run(QApplication& app, const QElapsedTimer& sinceStart);

private:
    int screenshotMode(QApplication& app);

    StudioOptions options_;
    std::unique_ptr<QTranslator> translator_, qtTranslator_;
    std::unique_ptr<studio::JobQueue> queue_;
    std::unique_ptr<MainWindow> window_;
};

// Installs the translation of `language` ("zh_CN", "en"; empty: the system locale) for Kinora and for
// Qt's own dialogs. Returns the language in use.
QString installTranslations(QApplication& app, const QString& language, std::unique_ptr<QTranslator>& kinora,
                            std::unique_ptr<QTranslator>& qt);

}  // namespace kinora::ui
