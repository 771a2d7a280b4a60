// The studio window: prompt panel (left dock), player and timeline (centre), queue and history (right
// docks). It owns no state of its own beyond the layout: requests go to the job queue, results come
// back through its signals, and the window keeps the player on the clip the person is looking at.
#pragma once

#include "engine/pipeline.h"
#include "studio/job_queue.h"
#include "ui/clip_frames.h"

#include <QFutureWatcher>
#include <QMainWindow>

class QDockWidget;
class QLabel;

namespace kinora::ui {

class HistoryPanel;
class PlayerWidget;
class PromptPanel;
class QueuePanel;
class TimelineWidget;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(studio::JobQueue& queue, QWidget* parent = nullptr);
    ~MainWindow() override;

    PromptPanel* promptPanel() const { return prompt_; }
    QueuePanel* queuePanel() const { return queuePanel_; }
    PlayerWidget* player() const { return player_; }
    TimelineWidget* timeline() const { return timeline_; }
    HistoryPanel* historyPanel() const { return historyPanel_; }
    // The job whose clip the player shows (0: none, or a file opened from disk).
    int64_t shownJob() const { return shownJob_; }
    // Jobs queued from this window, in order.
    const QVector<int64_t>& queuedHere() const { return queuedHere_; }

    // Loads the clip into the player and timeline (decoded off the GUI thread). `job` is its history
    // ID, 0 for another file. A clip the person `chosen` stays until they generate again; live previews
    // and finished jobs then go only to the queue and the history.
    void openClip(const QString& path, int64_t job = 0, bool chosen = true);
    // Generation settings of a recorded request into the prompt panel.
    void reuseSettings(const studio::JobRequest& request);
    // A file given to the studio (dropped, opened from a file manager, named on the command line): a
    // clip Kinora made reloads its generation settings, any other clip opens in the player; a PNG frame
    // of a frame folder stands for its folder.
    void openFile(const QString& path);
    // Lists the models again (after settings changed); the prompt panel keeps the model it had unless
    // `keepChoice` is false.
    void refreshModels(bool keepChoice = true);
    // The model the prompt panel selects (name or folder) in place of the settings' default model, for
    // as long as this window lives (kinora-studio --model).
    void setStartModel(const QString& nameOrDir);
    // The export dialog for the clip in the player, trimmed to the timeline's marks; nullptr when no
    // clip is shown. Owned by the window (deleted on close).
    class ExportDialog* openExportDialog();
    // The settings dialog; what it changes is saved, the theme applies at once.
    void openSettings();
    void openAbout();
    // Docks back where they start: prompt on the left, queue above history on the right.
    void resetLayout();
    // Whether new clips get the visible AI mark (the settings' default).
    void setVisibleMark(bool on) { visibleMark_ = on; }
    // docs/user-guide.md where it is installed (or in the source tree of a build); "" when absent.
    static QString userGuidePath();

signals:
    void clipOpened(QString path);       // the player shows a new clip
    void clipOpenFailed(QString error);  // a clip to be shown could not be read
    void requestRejected(QString error);  // Generate was pressed but the request could not be queued

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void queueRequest(const engine::GenerationRequest& request, const QString& modelPath);
    void prepareNext();
    void requestPrepared();
    void onJobFinished(qint64 id, studio::JobState state, const QString& error);
    void onPreview(const studio::PreviewFrames& frames);
    void clipLoaded();
    void openDroppedFile(const QString& path);
    void openFileDialog();
    // The export dialog for `path`, trimmed to the timeline's marks when `withMarks` (the clip is the
    // one in the player).
    class ExportDialog* showExportDialog(const QString& path, bool labelled, bool withMarks);
    void openUserGuide();
    void restoreLayout();
    void saveLayout();

    studio::JobQueue& queue_;
    PromptPanel* prompt_;
    QueuePanel* queuePanel_;
    PlayerWidget* player_;
    TimelineWidget* timeline_;
    HistoryPanel* historyPanel_;
    QDockWidget *promptDock_, *queueDock_, *historyDock_;
    bool visibleMark_ = true;
    QString startModel_;  // setStartModel
    bool shownLabelled_ = false;  // the clip in the player already carries the visible mark
    QLabel* statusModel_;
    QFutureWatcher<ClipFrames> loader_;
    QFutureWatcher<studio::JobRequest> preparing_;
    struct PendingRequest {
        engine::GenerationRequest request;
        QString modelPath;
        bool label = true;
    };
    QVector<PendingRequest> pending_;  // front: the one being prepared
    int64_t loadingJob_ = 0;
    bool loadingDropped_ = false;
    bool loadingChosen_ = false;
    int64_t shownJob_ = 0;
    // Set while the player shows a clip the person opened (history, file, drop): live previews and
    // finished jobs then do not take the player away from it. Cleared when they press Generate.
    bool pinned_ = false;
    QVector<int64_t> queuedHere_;
};

}  // namespace kinora::ui
