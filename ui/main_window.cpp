#include "ui/main_window.h"

#include "studio/job_request.h"
#include "studio/model_catalog.h"
#include "ui/about_dialog.h"
#include "ui/export_dialog.h"
#include "ui/history_panel.h"
#include "ui/player_widget.h"
#include "ui/prompt_panel.h"
#include "ui/queue_panel.h"
#include "ui/settings_dialog.h"
#include "ui/studio_settings.h"
#include "ui/theme.h"
#include "ui/timeline_widget.h"

#include "media/decoder.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace kinora::ui {
namespace {

QStringList clipSuffixes() {
    return {QStringLiteral("mp4"), QStringLiteral("webm"), QStringLiteral("gif"), QStringLiteral("mov"),
            QStringLiteral("mkv"), QStringLiteral("png")};
}

// A record read from a file back into a request the prompt panel can show.
studio::JobRequest requestFromRecord(const media::ProvenanceRecord& r) {
    studio::JobRequest j;
    j.prompt = QString::fromStdString(r.prompt);
    j.negative_prompt = QString::fromStdString(r.negative_prompt);
    j.model = QString::fromStdString(r.model);
    j.weights_sha256 = QString::fromStdString(r.weights_sha256);
    j.seed = r.seed ? uint64_t(*r.seed) : 0;
    j.steps = r.steps.value_or(0);
    j.guidance = r.guidance.value_or(0);
    j.sampler = QString::fromStdString(r.sampler);
    j.shift = r.shift.value_or(0);
    j.width = r.width;
    j.height = r.height;
    j.frames = r.frames;
    j.fps = r.fps_den > 0 ? r.fps_num / r.fps_den : 0;
    return j;
}

}  // namespace

MainWindow::MainWindow(studio::JobQueue& queue, QWidget* parent) : QMainWindow(parent), queue_(queue) {
    setObjectName(QStringLiteral("KinoraMainWindow"));
    setWindowTitle(tr("Kinora Studio"));
    setAcceptDrops(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks | QMainWindow::AllowNestedDocks);

    player_ = new PlayerWidget(this);
    timeline_ = new TimelineWidget(this);
    auto* centre = new QWidget(this);
    auto* centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->setSpacing(2);
    centreLayout->addWidget(player_, 1);
    centreLayout->addWidget(timeline_);
    setCentralWidget(centre);
    connect(player_, &PlayerWidget::frameChanged, timeline_, &TimelineWidget::setCurrentFrame);
    connect(timeline_, &TimelineWidget::seekRequested, player_, &PlayerWidget::seek);

    prompt_ = new PromptPanel(this);
    promptDock_ = new QDockWidget(tr("Prompt"), this);
    promptDock_->setObjectName(QStringLiteral("promptDock"));
    promptDock_->setWidget(prompt_);
    addDockWidget(Qt::LeftDockWidgetArea, promptDock_);
    connect(prompt_, &PromptPanel::generateRequested, this, &MainWindow::queueRequest);
    connect(prompt_, &PromptPanel::recentPromptsChanged, this,
            [this](const QStringList& list) { queue_.history().setSetting(QStringLiteral("recent_prompts"), list.join(QChar(0x1f))); });
    const QString recent = queue_.history().setting(QStringLiteral("recent_prompts"));
    prompt_->setRecentPrompts(recent.isEmpty() ? QStringList() : recent.split(QChar(0x1f)));

    queuePanel_ = new QueuePanel(queue_, this);
    queueDock_ = new QDockWidget(tr("Queue"), this);
    queueDock_->setObjectName(QStringLiteral("queueDock"));
    queueDock_->setWidget(queuePanel_);
    addDockWidget(Qt::RightDockWidgetArea, queueDock_);
    connect(queuePanel_, &QueuePanel::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m, 5000); });

    historyPanel_ = new HistoryPanel(queue_, this);
    historyDock_ = new QDockWidget(tr("History"), this);
    historyDock_->setObjectName(QStringLiteral("historyDock"));
    historyDock_->setWidget(historyPanel_);
    addDockWidget(Qt::RightDockWidgetArea, historyDock_);
    connect(historyPanel_, &HistoryPanel::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m, 8000); });
    connect(historyPanel_, &HistoryPanel::openRequested, this, [this](qint64 id, const QString& path) { openClip(path, id); });
    connect(historyPanel_, &HistoryPanel::reuseRequested, this, &MainWindow::reuseSettings);
    connect(historyPanel_, &HistoryPanel::exportRequested, this, [this](qint64 id, const QString& path, bool labelled) {
        // The timeline's marks apply when the clip to export is the one in the player.
        showExportDialog(path, labelled, id == shownJob_ && player_->hasClip() && !player_->showingPreview());
    });

    statusModel_ = new QLabel(this);
    statusBar()->addPermanentWidget(statusModel_);
    connect(&queue_, &studio::JobQueue::modelLoaded, this,
            [this](const QString& path) { statusModel_->setText(tr("Model loaded: %1").arg(QFileInfo(path).fileName())); });
    connect(&queue_, &studio::JobQueue::modelReleased, this, [this](const QString&) { statusModel_->setText(tr("Model released from memory")); });
    connect(&queue_, &studio::JobQueue::workerFailed, this, [this](const QString& m) {
        QMessageBox::critical(this, tr("Kinora"), tr("The generation worker stopped: %1\nRestart Kinora Studio to continue.").arg(m));
    });
    connect(&queue_, &studio::JobQueue::preview, this, &MainWindow::onPreview);
    connect(&queue_, &studio::JobQueue::jobFinished, this, &MainWindow::onJobFinished);
    connect(&loader_, &QFutureWatcher<ClipFrames>::finished, this, &MainWindow::clipLoaded);
    connect(&preparing_, &QFutureWatcher<studio::JobRequest>::finished, this, &MainWindow::requestPrepared);

    buildMenus();
    refreshModels();
    resetLayout();
    restoreLayout();
    statusBar()->showMessage(tr("Ready"), 3000);
}

MainWindow::~MainWindow() {
    loader_.waitForFinished();
    preparing_.waitForFinished();
}

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* open = file->addAction(tr("&Open clip…"), this, &MainWindow::openFileDialog);
    open->setShortcut(QKeySequence::Open);
    auto* exp = file->addAction(tr("&Export…"), this, [this] {
        if (!openExportDialog()) statusBar()->showMessage(tr("Open or generate a clip first: there is nothing to export."), 5000);
    });
    exp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addSeparator();
    auto* prefs = file->addAction(tr("&Settings…"), this, &MainWindow::openSettings);
    prefs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    prefs->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto* edit = menuBar()->addMenu(tr("&Edit"));
    auto* in = edit->addAction(tr("Mark &in"), timeline_, &TimelineWidget::markIn);
    in->setShortcut(Qt::Key_I);
    auto* out = edit->addAction(tr("Mark &out"), timeline_, &TimelineWidget::markOut);
    out->setShortcut(Qt::Key_O);
    auto* clear = edit->addAction(tr("&Clear marks"), timeline_, &TimelineWidget::clearMarks);
    clear->setShortcut(QKeySequence(Qt::ALT | Qt::Key_X));

    auto* view = menuBar()->addMenu(tr("&View"));
    view->addAction(promptDock_->toggleViewAction());
    view->addAction(queueDock_->toggleViewAction());
    view->addAction(historyDock_->toggleViewAction());
    view->addAction(tr("&Reset layout"), this, &MainWindow::resetLayout);
    auto* find = view->addAction(tr("&Search the history"), this, [this] {
        historyDock_->show();
        historyDock_->raise();
        historyPanel_->searchBox()->setFocus();
        historyPanel_->searchBox()->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    view->addSeparator();
    for (auto* a : {player_->playAction(), player_->stepBackAction(), player_->stepForwardAction(), player_->startAction(),
                    player_->endAction(), player_->loopAction()}) {
        view->addAction(a);
        addAction(a);  // shortcuts work wherever the focus is in the window
    }
    view->addSeparator();
    auto* fit = view->addAction(tr("Zoom to &fit"), this, [this] { player_->setZoom(FrameView::Zoom::Fit); });
    fit->setShortcut(QKeySequence(Qt::Key_F));
    auto* actual = view->addAction(tr("&Actual pixels (1:1)"), this, [this] { player_->setZoom(FrameView::Zoom::Actual); });
    actual->setShortcut(QKeySequence(Qt::Key_1));

    auto* gen = menuBar()->addMenu(tr("&Generate"));
    auto* go = gen->addAction(tr("&Generate"), prompt_, &PromptPanel::generate);
    go->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    go->setShortcutContext(Qt::WindowShortcut);
    addAction(go);
    gen->addAction(tr("New random &seed"), prompt_, &PromptPanel::rollSeed);
    gen->addSeparator();
    auto* pause = gen->addAction(tr("&Pause queue"));
    pause->setCheckable(true);
    pause->setChecked(queue_.paused());
    connect(pause, &QAction::toggled, this, [this](bool on) { on ? queue_.pause() : queue_.resume(); });
    connect(&queue_, &studio::JobQueue::pausedChanged, pause, &QAction::setChecked);

    auto* help = menuBar()->addMenu(tr("&Help"));
    auto* guide = help->addAction(tr("&User guide"), this, &MainWindow::openUserGuide);
    guide->setShortcut(QKeySequence::HelpContents);
    help->addSeparator();
    help->addAction(tr("&About Kinora"), this, &MainWindow::openAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

QString MainWindow::userGuidePath() {
    // Installed: <prefix>/share/doc/kinora/user-guide.md next to <prefix>/bin; a build: the source tree.
    const QString installed = QCoreApplication::applicationDirPath() + QStringLiteral("/../share/doc/kinora/user-guide.md");
    if (QFileInfo::exists(installed)) return QFileInfo(installed).canonicalFilePath();
    const QString source = QStringLiteral(KINORA_SOURCE_DIR "/docs/user-guide.md");
    return QFileInfo::exists(source) ? source : QString();
}

void MainWindow::openUserGuide() {
    const QString path = userGuidePath();
    if (path.isEmpty()) {
        QMessageBox::information(this, tr("User guide"),
                                 tr("The user guide is not installed on this machine. It is docs/user-guide.md in "
                                    "Kinora's source, and `kinora --help` lists what the command line can do."));
        return;
    }
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(path))) {
        QMessageBox::information(this, tr("User guide"), tr("No program is set up to open %1. Open it with any text editor or Markdown viewer.").arg(path));
    }
}

void MainWindow::refreshModels(bool keepChoice) {
    QVector<engine::ModelSummary> models;
    for (const auto& e : studio::listModels(queue_.history().dataDir())) models.push_back(e.summary);
    const QString preferred = startModel_.isEmpty() ? StudioSettings::load().defaultModel : startModel_;
    prompt_->setModels(models, preferred.isEmpty() ? QString::fromLatin1(studio::kDefaultModelName) : preferred, keepChoice);
}

void MainWindow::setStartModel(const QString& nameOrDir) {
    startModel_ = nameOrDir;
    refreshModels(/*keepChoice=*/false);
}

void MainWindow::queueRequest(const engine::GenerationRequest& request, const QString& modelPath) {
    // Asking for a new clip means wanting to see it: its preview and result may take the player again.
    pinned_ = false;
    // Resolving reads the model's headers and hashes its weights (cached after the first time), so it
    // runs off the GUI thread. Requests are resolved one after the other, in the order they were made:
    // three quick Ctrl+Returns give three jobs, queued in that order.
    pending_.push_back({request, modelPath, visibleMark_});
    if (!preparing_.isRunning() && pending_.size() == 1) prepareNext();
}

void MainWindow::prepareNext() {
    if (pending_.isEmpty()) return;
    const PendingRequest next = pending_.front();
    const QString dataDir = queue_.history().dataDir();
    preparing_.setFuture(QtConcurrent::run([next, dataDir] {
        return studio::prepareRequest(next.request, next.modelPath, dataDir, next.label);
    }));
}

void MainWindow::requestPrepared() {
    pending_.pop_front();
    try {
        const auto job = preparing_.result();
        const int64_t id = queue_.enqueue(job);
        queuedHere_.push_back(id);
        statusBar()->showMessage(tr("Queued job %1 (seed %2)").arg(id).arg(job.seed), 5000);
    } catch (const std::exception& e) {
        const QString message = QString::fromUtf8(e.what());
        statusBar()->showMessage(tr("Not queued: %1").arg(message), 10000);
        emit requestRejected(message);
        QMessageBox::warning(this, tr("Cannot generate"), message);
    }
    prepareNext();
}

void MainWindow::onPreview(const studio::PreviewFrames& frames) {
    if (pinned_) return;
    auto images = imagesFromRgb(frames.rgb, frames.frames, frames.width, frames.height);
    if (images.isEmpty()) return;
    QString prompt;
    if (const auto* row = queuePanel_->model()->rowFor(frames.id)) prompt = row->prompt;
    player_->setPreview(images, 8, tr("Preview of job %1 (step %2): %3").arg(frames.id).arg(frames.step).arg(prompt));
    shownJob_ = 0;
}

void MainWindow::onJobFinished(qint64 id, studio::JobState state, const QString& error) {
    if (state == studio::JobState::Done) {
        statusBar()->showMessage(tr("Job %1 done").arg(id), 5000);
        // The finished clip replaces its own preview, or an empty player; never a clip being watched.
        if (!pinned_ || !player_->hasClip()) {
            if (const auto job = queue_.history().find(id); job && !job->clip_path.isEmpty()) {
                openClip(studio::absolutePath(queue_.history(), job->clip_path), id, /*chosen=*/false);
            }
        }
        return;
    }
    if (player_->showingPreview()) player_->clear(tr("Job %1 was %2.").arg(id).arg(QString::fromLatin1(studio::stateName(state))));
    if (state == studio::JobState::Failed) {
        statusBar()->showMessage(tr("Job %1 failed: %2").arg(id).arg(error), 15000);
    } else if (state == studio::JobState::Cancelled) {
        statusBar()->showMessage(tr("Job %1 cancelled").arg(id), 5000);
    }
}

void MainWindow::openClip(const QString& path, int64_t job, bool chosen) {
    if (loader_.isRunning()) loader_.waitForFinished();
    loadingJob_ = job;
    loadingChosen_ = chosen;
    statusBar()->showMessage(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    loader_.setFuture(QtConcurrent::run([path] { return loadClipFrames(path); }));
}

void MainWindow::clipLoaded() {
    const ClipFrames clip = loader_.result();
    const bool dropped = loadingDropped_;
    loadingDropped_ = false;
    if (!clip.ok()) {
        emit clipOpenFailed(clip.error);
        statusBar()->showMessage(clip.error, 15000);
        if (!player_->hasClip() || player_->showingPreview()) player_->clear(clip.error);
        if (dropped) QMessageBox::warning(this, tr("Cannot open"), clip.error);
        return;
    }
    shownJob_ = loadingJob_;
    shownLabelled_ = false;
    if (shownJob_ != 0) {
        if (const auto job = queue_.history().find(shownJob_)) shownLabelled_ = job->request.label;
    }
    // A clip the person opened stays in the player: previews and finished jobs do not take it away
    // until they ask for a new clip (Generate). Clips shown automatically do not pin the player.
    pinned_ = loadingChosen_;
    player_->setClip(clip);
    timeline_->setFrames(clip.frames);
    if (dropped && clip.record) {
        reuseSettings(requestFromRecord(*clip.record));
        statusBar()->showMessage(tr("Loaded the generation settings of %1").arg(QFileInfo(clip.path).fileName()), 8000);
    } else {
        statusBar()->showMessage(tr("%1: %2 frames of %3×%4 at %5 fps")
                                     .arg(QFileInfo(clip.path).fileName())
                                     .arg(clip.count())
                                     .arg(clip.size().width())
                                     .arg(clip.size().height())
                                     .arg(clip.fps, 0, 'g', 4),
                                 8000);
    }
    if (player_->frameCount() > 1) player_->play();
    emit clipOpened(clip.path);
}

void MainWindow::reuseSettings(const studio::JobRequest& request) {
    prompt_->setRequest(request);
    promptDock_->show();
    promptDock_->raise();
}

void MainWindow::openDroppedFile(const QString& path) {
    loadingDropped_ = true;
    openClip(path, 0, /*chosen=*/true);
}

void MainWindow::openFileDialog() {
    const QString filter = tr("Clips (%1)").arg(QStringLiteral("*.") + clipSuffixes().join(QStringLiteral(" *.")));
    const QString path = QFileDialog::getOpenFileName(this, tr("Open clip"), QString(), filter);
    if (!path.isEmpty()) openDroppedFile(path);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile()) {
        const QFileInfo info(urls.front().toLocalFile());
        if (info.isDir() || clipSuffixes().contains(info.suffix().toLower())) event->acceptProposedAction();
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.front().isLocalFile()) return;
    openFile(urls.front().toLocalFile());
    event->acceptProposedAction();
}

void MainWindow::openFile(const QString& file) {
    QString path = file;
    // A single PNG frame of a frame folder stands for its folder (that is what holds the clip).
    const QFileInfo info(path);
    if (info.suffix().compare(QLatin1String("png"), Qt::CaseInsensitive) == 0 &&
        media::frameNumberOf(info.fileName().toStdString()) >= 0) {
        path = info.absolutePath();
    }
    openDroppedFile(path);
}

void MainWindow::resetLayout() {
    for (auto* d : {promptDock_, queueDock_, historyDock_}) {
        d->setFloating(false);
        d->show();
    }
    addDockWidget(Qt::LeftDockWidgetArea, promptDock_);
    addDockWidget(Qt::RightDockWidgetArea, queueDock_);
    splitDockWidget(queueDock_, historyDock_, Qt::Vertical);
    // The queue needs a few rows; the history gets the rest of the height.
    resizeDocks({queueDock_, historyDock_}, {int(height() * 0.28), int(height() * 0.72)}, Qt::Vertical);
    resizeDocks({promptDock_, queueDock_}, {320, 360}, Qt::Horizontal);
}

void MainWindow::restoreLayout() {
    QSettings s;
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) resize(1280, 800);
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::saveLayout() {
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
}

ExportDialog* MainWindow::openExportDialog() {
    if (!player_->hasClip() || player_->showingPreview() || player_->clip().path.isEmpty()) return nullptr;
    return showExportDialog(player_->clip().path, shownLabelled_, /*withMarks=*/true);
}

ExportDialog* MainWindow::showExportDialog(const QString& path, bool labelled, bool withMarks) {
    auto* d = new ExportDialog(path, labelled, withMarks ? player_->frameCount() : 0, withMarks ? timeline_->inFrame() : 0,
                               withMarks ? timeline_->outFrame() : -1, this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    connect(d, &ExportDialog::exportFinished, this,
            [this](const QString& written) { statusBar()->showMessage(tr("Exported %1").arg(written), 10000); });
    d->show();
    return d;
}

void MainWindow::openSettings() {
    const StudioSettings before = StudioSettings::load();
    SettingsDialog dialog(before, queue_.history().dataDir(), this);
    if (dialog.exec() != QDialog::Accepted) return;
    const StudioSettings after = dialog.settings();
    after.save();
    visibleMark_ = after.visibleMark;
    if (auto* app = qobject_cast<QApplication*>(QCoreApplication::instance())) applyTheme(*app, themeFromName(after.theme));
    refreshModels();
    if (needsRestart(before, after)) {
        QMessageBox::information(this, tr("Settings saved"),
                                 tr("Some of the changes (data folder, model folders, threads, device or language) "
                                    "take effect the next time Kinora Studio starts."));
    }
}

void MainWindow::openAbout() {
    AboutDialog about(queue_.history().dataDir(), this);
    about.exec();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    // Deletions waiting for undo are carried out now (the files go to the trash).
    historyPanel_->commitPendingDeletions();
    saveLayout();
    event->accept();
}

}  // namespace kinora::ui
