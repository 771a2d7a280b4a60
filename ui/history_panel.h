// The History dock: every finished generation as a thumbnail you can search (as you type), filter,
// sort, open, re-run, vary, favourite, copy, export, show in its folder and delete.
//
// Deleting never loses a file by surprise: the rows disappear at once, but the files stay where they
// are until the panel commits the deletions (the main window calls commitPendingDeletions() when it
// closes; the panel's destructor does it otherwise). Until then Undo (the bar under the list, or
// Ctrl+Z) brings the jobs back exactly as they were. Committing moves each job's folder to the
// desktop trash (studio::trashOrRemove; removed for good only on systems without a trash) on a
// background thread and only then removes its row, so a folder that cannot be moved keeps its entry.
#pragma once

#include "studio/job.h"

#include <QFutureWatcher>
#include <QSet>
#include <QVector>
#include <QWidget>

#include <functional>
#include <optional>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QMenu;
class QPushButton;
class QTimer;
class QToolButton;

namespace kinora::studio {
class JobQueue;
}

namespace kinora::ui {

class HistoryDelegate;
class HistoryModel;

// What committing deletions did to one job.
struct DeletionOutcome {
    qint64 id = 0;
    bool removed = false;  // files gone (trash or removed) and the row removed
    bool trashed = false;  // the files are in the desktop trash
    QString error;         // why not, in plain words
};

class HistoryPanel : public QWidget {
    Q_OBJECT
public:
    // Asks whether to delete; true goes ahead. The default shows a QMessageBox; tests replace it.
    using Confirmation = std::function<bool(QWidget* parent, const QString& title, const QString& question)>;

    // Searches typed within this long of each other make one query.
    static constexpr int kSearchDebounceMs = 150;
    static constexpr int kVariationCount = 4;

    explicit HistoryPanel(kinora::studio::JobQueue& queue, QWidget* parent = nullptr);
    // Commits pending deletions and waits for them to finish.
    ~HistoryPanel() override;

    QLineEdit* searchBox() const { return search_; }
    QListView* view() const { return view_; }
    HistoryModel* model() const { return model_; }
    HistoryDelegate* delegate() const { return delegate_; }
    QToolButton* favouritesButton() const { return favourites_; }
    QComboBox* modelFilterBox() const { return modelFilter_; }
    QComboBox* stateFilterBox() const { return stateFilter_; }
    QComboBox* sortBox() const { return sort_; }
    QPushButton* undoButton() const { return undoButton_; }

    void setConfirmation(Confirmation confirm) { confirm_ = std::move(confirm); }
    // The QMessageBox the panel asks with unless told otherwise (Delete / Cancel, Cancel the default).
    static Confirmation defaultConfirmation();

    // Jobs deleted in this session whose files are still in place (the undo stack, oldest first).
    QSet<qint64> pendingDeletions() const;
    // Starts moving the pending jobs' files to the trash on a background thread; their rows are
    // removed as each folder goes. No undo afterwards. deletionsCommitted reports the outcome.
    void commitPendingDeletions();
    // True while a commit runs in the background.
    bool committing() const { return commit_.isRunning(); }

    // The menu of the item with job `id` (the context menu; tests trigger its actions).
    QMenu* buildContextMenu(qint64 id, QWidget* parent);
    // Selects and shows the job when it is in the list.
    void selectJob(qint64 id);

public slots:
    void openJob(qint64 id);
    void rerunJob(qint64 id);
    void reuseJob(qint64 id);
    void makeVariations(qint64 id);
    void toggleFavourite(qint64 id);
    void copyPrompt(qint64 id);
    void exportJob(qint64 id);
    void showInFolder(qint64 id);
    // Asks for confirmation, then hides the jobs until commit or undo.
    void deleteJobs(const QVector<qint64>& ids);
    // Brings back the most recent batch of deleted jobs.
    void undoDelete();

signals:
    void openRequested(qint64 id, QString clipPath);
    void reuseRequested(kinora::studio::JobRequest request);
    void exportRequested(qint64 id, QString clipPath, bool labelled);
    void statusMessage(QString text);
    void deletionsCommitted(QVector<kinora::ui::DeletionOutcome> outcomes);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    std::optional<studio::Job> job(qint64 id) const;
    QVector<qint64> selectedIds() const;
    void showContextMenu(const QPoint& pos);
    void updateUndoBar();
    void updateEmptyText();
    void updateModelFilterChoices();
    void commitFinished();

    studio::JobQueue& queue_;
    QString dataDir_;  // a copy: the commit may outlive the queue (see the destructor)
    HistoryModel* model_;
    HistoryDelegate* delegate_;
    QLineEdit* search_;
    QTimer* searchTimer_;
    QToolButton* favourites_;
    QComboBox* modelFilter_;
    QComboBox* stateFilter_;
    QComboBox* sort_;
    QListView* view_;
    QLabel* empty_;
    QWidget* undoBar_;
    QLabel* undoText_;
    QPushButton* undoButton_;
    QAction* undoAction_;
    Confirmation confirm_;
    // Each delete is one batch that one Undo brings back; the ids with their prompts for the bar.
    // The folders are resolved when deleting: committing must not need the queue (see the destructor).
    struct Batch {
        QVector<qint64> ids;
        QStringList folders;  // absolute, one per id; empty for a job that never wrote one
        QString firstPrompt;
    };
    QVector<Batch> pending_;
    QSet<qint64> committingIds_;
    QFutureWatcher<QVector<DeletionOutcome>> commit_;
};

}  // namespace kinora::ui

Q_DECLARE_METATYPE(kinora::ui::DeletionOutcome)
