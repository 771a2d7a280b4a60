#include "ui/studio_app.h"

#include "studio/data_paths.h"
#include "studio/history_db.h"
#include "studio/job_queue.h"
#include "studio/model_catalog.h"
#include "studio/versions.h"
#include "ui/main_window.h"
#include "ui/player_widget.h"
#include "ui/prompt_panel.h"
#include "ui/studio_settings.h"
#include "ui/theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QTimer>
#include <QTranslator>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace kinora::ui {
namespace {

// Milliseconds since the process was started (by the kernel's record of its start time, so the
// dynamic loader and the re-exec for the OpenMP wait policy are counted); -1 where /proc is missing.
double processAgeMs() {
    std::ifstream in("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');  // the command name may contain spaces
    if (close == std::string::npos) return -1;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    unsigned long long start = 0;
    for (int i = 3; i <= 22 && fields >> field; ++i) {
        if (i == 22) start = std::stoull(field);
    }
    timespec now{};
    if (start == 0 || clock_gettime(CLOCK_BOOTTIME, &now) != 0) return -1;
    const double ticks = double(sysconf(_SC_CLK_TCK));
    return (double(now.tv_sec) + now.tv_nsec * 1e-9 - double(start) / ticks) * 1000.0;
}

}  // namespace

QString installTranslations(QApplication& app, const QString& language, std::unique_ptr<QTranslator>& kinora,
                            std::unique_ptr<QTranslator>& qt) {
    for (auto* t : {kinora.get(), qt.get()}) {
        if (t) app.removeTranslator(t);
    }
    kinora = std::make_unique<QTranslator>();
    qt = std::make_unique<QTranslator>();
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    // The .qm files are compiled into the program (qt_add_translations, resource prefix /i18n).
    if (kinora->load(locale, QStringLiteral("kinora"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        app.installTranslator(kinora.get());
    }
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        app.installTranslator(qt.get());
    }
    return kinora->isEmpty() ? QStringLiteral("en") : locale.name();
}

StudioApp::StudioApp() = default;

StudioApp::~StudioApp() {
    window_.reset();
    queue_.reset();
}

int StudioApp::run(QApplication& app, const QElapsedTimer& sinceStart) {
    QApplication::setOrganizationName(QStringLiteral("Kinora"));
    QApplication::setApplicationName(QStringLiteral("Kinora Studio"));
    QApplication::setApplicationVersion(studio::kinoraVersionString());
    QApplication::setDesktopFileName(QStringLiteral("io.kinora.Studio"));  // packaging/io.kinora.Studio.desktop

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Kinora Studio: text-to-video on your own machine"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption dataDir(QStringLiteral("data-dir"), QStringLiteral("Folder for the history and clips (or KINORA_DATA_DIR)"), QStringLiteral("DIR"));
    QCommandLineOption lang(QStringLiteral("lang"), QStringLiteral("Interface language: en or zh_CN (default: the system's)"), QStringLiteral("LANG"));
    QCommandLineOption shot(QStringLiteral("screenshot"), QStringLiteral("Render the window into this PNG and exit"), QStringLiteral("FILE"));
    QCommandLineOption prompt(QStringLiteral("prompt"), QStringLiteral("Prompt to type into the prompt box"), QStringLiteral("TEXT"));
    QCommandLineOption wait(QStringLiteral("wait-done"), QStringLiteral("With --screenshot and --prompt: generate the clip and wait for it first"));
    QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1280x800"), QStringLiteral("WxH"));
    QCommandLineOption model(QStringLiteral("model"),
                             QStringLiteral("Model to start with, by name or folder (this run only; default: the one set in Settings)"),
                             QStringLiteral("NAME|DIR"));
    QCommandLineOption report(QStringLiteral("report-startup"), QStringLiteral("Print the time from start to a usable window, then keep running"));
    parser.addOptions({dataDir, lang, shot, prompt, wait, size, model, report});
    parser.addPositionalArgument(QStringLiteral("file"),
                                 QStringLiteral("A clip to open: one made by Kinora also brings back its settings"),
                                 QStringLiteral("[FILE]"));
    parser.process(app);
    if (parser.positionalArguments().size() > 1) {
        std::fprintf(stderr, "kinora-studio: one file at a time, not %lld\n", (long long)parser.positionalArguments().size());
        return 2;
    }
    options_.file = parser.positionalArguments().value(0);
    if (!options_.file.isEmpty() && !QFileInfo::exists(options_.file)) {
        std::fprintf(stderr, "kinora-studio: %s: no such file or folder\n", qPrintable(options_.file));
        return 2;
    }
    options_.dataDir = parser.value(dataDir);
    options_.language = parser.value(lang);
    options_.screenshot = parser.value(shot);
    options_.prompt = parser.value(prompt);
    options_.waitDone = parser.isSet(wait);
    options_.model = parser.value(model);
    options_.reportStartup = parser.isSet(report);
    if (parser.isSet(size)) {
        const auto parts = parser.value(size).split(QLatin1Char('x'));
        bool okW = false, okH = false;
        if (parts.size() == 2) options_.size = QSize(parts[0].toInt(&okW), parts[1].toInt(&okH));
        if (!okW || !okH || options_.size.width() < 320 || options_.size.height() < 240) {
            std::fprintf(stderr, "kinora-studio: --size expects WxH of at least 320x240, e.g. 1280x800, not \"%s\"\n",
                         qPrintable(parser.value(size)));
            return 2;
        }
    }
    if (options_.waitDone && !options_.file.isEmpty()) {
        std::fprintf(stderr, "kinora-studio: --wait-done generates a clip; it cannot be combined with a FILE to open\n");
        return 2;
    }
    if (options_.waitDone && options_.prompt.isEmpty()) {
        std::fprintf(stderr, "kinora-studio: --wait-done needs --prompt TEXT (the clip to generate)\n");
        return 2;
    }

    const StudioSettings settings = StudioSettings::load();
    installTranslations(app, options_.language.isEmpty() ? settings.language : options_.language, translator_, qtTranslator_);
    applyTheme(app, themeFromName(settings.theme));
    QStringList modelFolders = settings.modelFolders;
    if (!options_.model.isEmpty() && QFileInfo(options_.model).isDir()) {
        // A folder named on the command line is searched too (this run only), so the panel can list it.
        modelFolders.prepend(QFileInfo(options_.model).absoluteFilePath());
        options_.model = QFileInfo(options_.model).absoluteFilePath();
    }
    studio::setSettingsModelFolders(modelFolders);

    const QString wanted = options_.dataDir.isEmpty() ? settings.dataDir : options_.dataDir;
    const auto location = studio::resolveDataDir(wanted);
    if (const QString problem = studio::prepareDataDir(location.path); !problem.isEmpty()) {
        QMessageBox::critical(nullptr, QObject::tr("Kinora Studio"), problem);
        std::fprintf(stderr, "kinora-studio: %s\n", qPrintable(problem));
        return 1;
    }
    studio::QueueOptions qo;
    qo.dataDir = location.path;
    qo.worker.pipeline.threads = settings.threads;
    qo.worker.pipeline.device = settings.device.toStdString();
    for (int attempt = 0; attempt < 2 && !queue_; ++attempt) {
        try {
            queue_ = std::make_unique<studio::JobQueue>(qo);
        } catch (const studio::DatabaseDamaged& e) {
            // Moved aside by the history; a fresh one opens on the next attempt. Say where the old one is.
            QMessageBox::warning(nullptr, QObject::tr("Kinora Studio"),
                                 QObject::tr("The history database was damaged and has been moved to %1. "
                                             "A new, empty history has been started.")
                                     .arg(e.moved_to));
        } catch (const std::exception& e) {
            QMessageBox::critical(nullptr, QObject::tr("Kinora Studio"), QString::fromUtf8(e.what()));
            std::fprintf(stderr, "kinora-studio: %s\n", e.what());
            return 1;
        }
    }
    if (!queue_) return 1;

    if (!options_.model.isEmpty()) {
        try {  // refused before any window opens, with the catalogue's reason
            studio::resolveModel(options_.model, location.path);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "kinora-studio: --model %s: %s\n", qPrintable(options_.model), e.what());
            return 2;
        }
    }
    window_ = std::make_unique<MainWindow>(*queue_);
    if (!options_.model.isEmpty()) window_->setStartModel(options_.model);
    window_->setVisibleMark(settings.visibleMark);
    if (options_.size.isValid()) window_->resize(options_.size);
    if (!options_.prompt.isEmpty()) window_->promptPanel()->setPrompt(options_.prompt);
    if (!options_.file.isEmpty()) window_->openFile(QFileInfo(options_.file).absoluteFilePath());
    if (!options_.screenshot.isEmpty()) return screenshotMode(app);

    window_->show();
    if (options_.reportStartup) {
        // Usable = shown and the event loop has processed everything queued before it (first paint).
        QTimer::singleShot(0, window_.get(), [sinceStart] {
            std::printf("kinora-studio: usable window %.0f ms after the process started (%.0f ms in main)\n",
                        processAgeMs(), double(sinceStart.nsecsElapsed()) / 1e6);
            std::fflush(stdout);
        });
    }
    return app.exec();
}

int StudioApp::screenshotMode(QApplication& app) {
    // A screenshot shows the window as it first opens, whatever layout this user saved.
    window_->show();
    window_->resetLayout();
    auto* w = window_.get();
    const QString file = options_.screenshot;
    int exitCode = 0;
    auto capture = [w, file, &exitCode, &app] {
        w->player()->pause();
        const QImage image = w->grab().toImage();
        if (image.isNull() || !image.save(file, "PNG")) {
            std::fprintf(stderr, "kinora-studio: cannot write the screenshot to %s\n", qPrintable(file));
            exitCode = 1;
        } else {
            std::printf("wrote %s (%dx%d)\n", qPrintable(file), image.width(), image.height());
        }
        app.quit();
    };
    // A clip decoded into the player (the generated one, or FILE): captured at its middle frame.
    auto captureWhenShown = [w, capture] {
        QObject::connect(w, &MainWindow::clipOpened, w, [w, capture] {
            w->player()->pause();
            w->player()->seek(w->player()->frameCount() / 2);
            QTimer::singleShot(200, w, capture);
        });
    };
    if (options_.waitDone) {
        QObject::connect(w, &MainWindow::requestRejected, &app, [&exitCode, &app](const QString& error) {
            std::fprintf(stderr, "kinora-studio: the prompt could not be generated: %s\n", qPrintable(error));
            exitCode = 1;
            app.quit();
        });
        QObject::connect(queue_.get(), &studio::JobQueue::jobFinished, &app,
                         [w, &exitCode, &app](qint64 id, studio::JobState state, const QString& error) {
                             if (!w->queuedHere().contains(id)) return;
                             if (state != studio::JobState::Done) {
                                 std::fprintf(stderr, "kinora-studio: job %lld did not finish: %s\n", (long long)id, qPrintable(error));
                                 exitCode = 1;
                                 app.quit();
                             }
                         });
        captureWhenShown();
        QTimer::singleShot(100, w, [w, &exitCode, &app] {
            // A request the panel refuses (no model, an invalid value) queues nothing: say why and stop
            // instead of waiting for a clip that will never come.
            const QString error = w->promptPanel()->validationError();
            if (!error.isEmpty()) {
                std::fprintf(stderr, "kinora-studio: the prompt cannot be generated: %s\n", qPrintable(error));
                exitCode = 1;
                app.quit();
                return;
            }
            w->promptPanel()->generate();
        });
    } else if (!options_.file.isEmpty()) {
        captureWhenShown();
        QObject::connect(w, &MainWindow::clipOpenFailed, &app, [&exitCode, &app](const QString& error) {
            std::fprintf(stderr, "kinora-studio: %s\n", qPrintable(error));
            exitCode = 1;
            app.quit();
        });
    } else {
        QTimer::singleShot(300, w, capture);
    }
    const int rc = app.exec();
    return exitCode != 0 ? exitCode : rc;
}

}  // namespace kinora::ui
