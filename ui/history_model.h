// The history as a list model for the History dock: jobs that have finished (done, failed, cancelled,
// interrupted; queued and running ones belong to the Queue dock), newest first in pages, or the
// results of a search, narrowed by filters and sorted. It follows the history as it changes: the
// queue's signals and a DbWatcher (clips made by `kinora generate` in a terminal appear too).
#pragma once

#include "studio/job.h"

#include <QAbstractListModel>
#include <QSet>
#include <QStringList>
#include <QTimer>
#include <QVector>

#include <optional>

namespace kinora::studio {
class DbWatcher;
class JobQueue;
}  // namespace kinora::studio

namespace kinora::ui {

class HistoryModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole + 1,  // qint64
        PromptRole,                 // QString
        DateTextRole,               // QString: when it was made (time today, else the date), user's locale
        StateRole,                  // kinora::studio::JobState
        StateTextRole,              // QString: "Failed", ... (empty for done jobs)
        FavouriteRole,              // bool
        ModelRole,                  // QString: the model's name
        ThumbsPathRole,             // QString: absolute path of thumbs.png ("" when none)
        ClipPathRole,               // QString: absolute path of the clip ("" when none)
        ThumbCountRole,             // int: frames in the thumbnail strip
        ErrorRole,                  // QString: why it failed
    };
    enum class StateFilter { All, Done, Failed, Cancelled };
    enum class Sort { Newest, Oldest, PromptAZ };

    // Jobs read per database page; fetchMore adds at least this many rows when there are that many.
    static constexpr int kPageSize = 120;
    // Search results are not paged: the history ranks at most this many matches (HistoryDb::search).
    static constexpr int kSearchLimit = 2000;

    explicit HistoryModel(studio::JobQueue& queue, QObject* parent = nullptr);
    ~HistoryModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

    void setSearchText(const QString& text);
    QString searchText() const { return search_; }
    void setFavouritesOnly(bool on);
    void setModelFilter(const QString& modelName);  // "" = every model
    void setStateFilter(StateFilter filter);
    void setSort(Sort sort);
    // Jobs left out whatever the filters say: deletions waiting for the window to close.
    void setHiddenIds(const QSet<qint64>& ids);

    // Model names seen in the history so far (grows as pages load), sorted.
    QStringList modelNames() const;

    const studio::Job* jobAt(int row) const;
    std::optional<studio::Job> jobById(qint64 id) const;
    int rowOfId(qint64 id) const;  // -1 when not shown

    // Reads the history again now (the signals below call it through a short timer, so a burst of
    // changes costs one reload). Rows that stay keep their place: the view keeps its selection.
    void refresh();

signals:
    // After every reload (tests and the panel's status wait on it).
    void refreshed();
    void modelNamesChanged();

private:
    bool accepts(const studio::Job& job) const;
    // The first `wanted` matching jobs in the current order (or all of them for sorts that need the
    // whole set); sets exhausted_ and the paging cursor.
    QVector<studio::Job> load(int wanted);
    void applyRows(QVector<studio::Job> rows);
    void noteModels(const QVector<studio::Job>& jobs);
    void scheduleRefresh();

    studio::JobQueue& queue_;
    studio::DbWatcher* watcher_ = nullptr;
    QTimer refreshTimer_;
    QVector<studio::Job> rows_;
    std::optional<int64_t> cursor_;  // the oldest job ID read so far while paging newest first
    bool exhausted_ = true;
    QString search_;
    bool favouritesOnly_ = false;
    QString modelFilter_;
    StateFilter stateFilter_ = StateFilter::All;
    Sort sort_ = Sort::Newest;
    QSet<qint64> hidden_;
    QSet<QString> models_;
};

}  // namespace kinora::ui
