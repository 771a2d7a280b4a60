#include "ui/history_model.h"

#include "studio/db_watcher.h"
#include "studio/history_db.h"
#include "studio/job_files.h"
#include "studio/job_queue.h"

#include <QCollator>
#include <QDateTime>
#include <QHash>
#include <QLocale>

#include <algorithm>

namespace kinora::ui {
namespace {

// A burst of changes (the worker finishing a job commits, then the queue signals, then the watcher
// notices) costs one reload.
constexpr int kRefreshDelayMs = 40;
// While paging with a filter that few jobs pass, one fetchMore reads at most this many pages, so a
// scroll never stalls on a long history; the next fetchMore goes on from there.
constexpr int kMaxPagesPerFetch = 25;
// Sorts other than newest-first need the whole (filtered) history; it is read in pages this big.
constexpr int kFullReadPage = 1000;

bool isFinished(studio::JobState s) {
    return s != studio::JobState::Queued && s != studio::JobState::Running;
}

}  // namespace

HistoryModel::HistoryModel(studio::JobQueue& queue, QObject* parent) : QAbstractListModel(parent), queue_(queue) {
    refreshTimer_.setSingleShot(true);
    refreshTimer_.setInterval(kRefreshDelayMs);
    connect(&refreshTimer_, &QTimer::timeout, this, &HistoryModel::refresh);
    connect(&queue_, &studio::JobQueue::jobFinished, this, &HistoryModel::scheduleRefresh);
    connect(&queue_, &studio::JobQueue::jobQueued, this, &HistoryModel::scheduleRefresh);
    connect(&queue_, &studio::JobQueue::queueChanged, this, &HistoryModel::scheduleRefresh);
    try {
        watcher_ = new studio::DbWatcher(queue_.history().dataDir(), 250, this);
        connect(watcher_, &studio::DbWatcher::historyChanged, this, &HistoryModel::scheduleRefresh);
    } catch (const std::exception& e) {
        // The queue's own signals still keep the list current; only other processes' jobs would wait
        // for the next reload.
        qWarning("history: cannot watch the database for other processes' changes: %s", e.what());
    }
    refresh();
}

HistoryModel::~HistoryModel() = default;

int HistoryModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }

QVariant HistoryModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() < 0 || index.row() >= rows_.size()) return {};
    const studio::Job& j = rows_[index.row()];
    auto abs = [&](const QString& rel) {
        return rel.isEmpty() ? QString() : studio::absolutePath(queue_.history(), rel);
    };
    switch (role) {
    case Qt::DisplayRole:
    case PromptRole: return j.request.prompt;
    case Qt::ToolTipRole: {
        QString tip = j.request.prompt.toHtmlEscaped() + QStringLiteral("<br>") +
                      tr("%1 · %2 · %3×%4, %5 frames · seed %6")
                          .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(j.created_ms).toLocalTime(),
                                                  QLocale::ShortFormat),
                               j.request.model.toHtmlEscaped())
                          .arg(j.request.width)
                          .arg(j.request.height)
                          .arg(j.request.frames)
                          .arg(j.request.seed);
        if (!j.error.isEmpty()) tip += QStringLiteral("<br>") + j.error.toHtmlEscaped();
        return tip;
    }
    case IdRole: return QVariant::fromValue<qint64>(j.id);
    case DateTextRole: {
        // Short enough for a thumbnail's width: the time for today's jobs, the date for older ones
        // (the tooltip has both).
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(j.created_ms).toLocalTime();
        return at.date() == QDate::currentDate() ? QLocale().toString(at.time(), QLocale::ShortFormat)
                                                 : QLocale().toString(at.date(), QLocale::ShortFormat);
    }
    case StateRole: return QVariant::fromValue(j.state);
    case StateTextRole:
        switch (j.state) {
        case studio::JobState::Failed: return tr("Failed");
        case studio::JobState::Cancelled: return tr("Cancelled");
        case studio::JobState::Interrupted: return tr("Interrupted");
        case studio::JobState::Queued: return tr("Queued");
        case studio::JobState::Running: return tr("Running");
        case studio::JobState::Done: return QString();
        }
        return QString();
    case FavouriteRole: return j.favourite;
    case ModelRole: return j.request.model;
    case ThumbsPathRole: return abs(j.thumbs_path);
    case ClipPathRole: return abs(j.clip_path);
    case ThumbCountRole: return std::clamp(j.request.frames, 1, studio::kThumbCount);
    case ErrorRole: return j.error;
    default: return {};
    }
}

QHash<int, QByteArray> HistoryModel::roleNames() const {
    auto names = QAbstractListModel::roleNames();
    names.insert({{IdRole, "jobId"},
                  {PromptRole, "prompt"},
                  {DateTextRole, "dateText"},
                  {StateRole, "state"},
                  {StateTextRole, "stateText"},
                  {FavouriteRole, "favourite"},
                  {ModelRole, "model"},
                  {ThumbsPathRole, "thumbsPath"},
                  {ClipPathRole, "clipPath"},
                  {ThumbCountRole, "thumbCount"},
                  {ErrorRole, "error"}});
    return names;
}

bool HistoryModel::canFetchMore(const QModelIndex& parent) const { return !parent.isValid() && !exhausted_; }

void HistoryModel::fetchMore(const QModelIndex& parent) {
    if (parent.isValid() || exhausted_) return;
    // Only newest-first browsing is paged (see load()); it goes on from the cursor.
    QVector<studio::Job> more;
    auto& db = queue_.history();
    for (int pages = 0; pages < kMaxPagesPerFetch && more.size() < kPageSize && !exhausted_; ++pages) {
        const auto page = db.page(cursor_, kPageSize);
        if (page.size() < kPageSize) exhausted_ = true;
        if (!page.isEmpty()) cursor_ = page.back().id;
        noteModels(page);
        for (const auto& j : page) {
            if (accepts(j)) more << j;  // older than every row shown: the cursor moves one way
        }
    }
    if (more.isEmpty()) return;
    beginInsertRows({}, int(rows_.size()), int(rows_.size() + more.size() - 1));
    rows_ += more;
    endInsertRows();
}

void HistoryModel::setSearchText(const QString& text) {
    const QString t = text.trimmed();
    if (t == search_) return;
    search_ = t;
    refresh();
}

void HistoryModel::setFavouritesOnly(bool on) {
    if (on == favouritesOnly_) return;
    favouritesOnly_ = on;
    refresh();
}

void HistoryModel::setModelFilter(const QString& modelName) {
    if (modelName == modelFilter_) return;
    modelFilter_ = modelName;
    refresh();
}

void HistoryModel::setStateFilter(StateFilter filter) {
    if (filter == stateFilter_) return;
    stateFilter_ = filter;
    refresh();
}

void HistoryModel::setSort(Sort sort) {
    if (sort == sort_) return;
    sort_ = sort;
    refresh();
}

void HistoryModel::setHiddenIds(const QSet<qint64>& ids) {
    if (ids == hidden_) return;
    hidden_ = ids;
    refresh();
}

QStringList HistoryModel::modelNames() const {
    QStringList names(models_.begin(), models_.end());
    QCollator collator;
    std::sort(names.begin(), names.end(), [&](const QString& a, const QString& b) { return collator.compare(a, b) < 0; });
    return names;
}

const studio::Job* HistoryModel::jobAt(int row) const {
    return row >= 0 && row < rows_.size() ? &rows_[row] : nullptr;
}

std::optional<studio::Job> HistoryModel::jobById(qint64 id) const {
    const int row = rowOfId(id);
    if (row < 0) return std::nullopt;
    return rows_[row];
}

int HistoryModel::rowOfId(qint64 id) const {
    for (int i = 0; i < rows_.size(); ++i) {
        if (rows_[i].id == id) return i;
    }
    return -1;
}

void HistoryModel::refresh() {
    refreshTimer_.stop();
    applyRows(load(std::max<int>(int(rows_.size()), kPageSize)));
    emit refreshed();
}

void HistoryModel::scheduleRefresh() {
    if (!refreshTimer_.isActive()) refreshTimer_.start();
}

bool HistoryModel::accepts(const studio::Job& j) const {
    if (!isFinished(j.state) || hidden_.contains(j.id)) return false;
    if (favouritesOnly_ && !j.favourite) return false;
    if (!modelFilter_.isEmpty() && j.request.model != modelFilter_) return false;
    switch (stateFilter_) {
    case StateFilter::All: return true;
    case StateFilter::Done: return j.state == studio::JobState::Done;
    // An interrupted job also ended without a clip because something went wrong (its process died).
    case StateFilter::Failed: return j.state == studio::JobState::Failed || j.state == studio::JobState::Interrupted;
    case StateFilter::Cancelled: return j.state == studio::JobState::Cancelled;
    }
    return true;
}

void HistoryModel::noteModels(const QVector<studio::Job>& jobs) {
    const auto before = models_.size();
    for (const auto& j : jobs) {
        if (!j.request.model.isEmpty()) models_.insert(j.request.model);
    }
    if (models_.size() != before) emit modelNamesChanged();
}

QVector<studio::Job> HistoryModel::load(int wanted) {
    auto& db = queue_.history();
    QVector<studio::Job> out;
    const bool paged = search_.isEmpty() && sort_ == Sort::Newest;
    if (paged) {
        // Keyset pages, newest first, until enough rows pass the filters.
        cursor_.reset();
        exhausted_ = false;
        int pages = 0;
        while (out.size() < wanted && !exhausted_) {
            const auto page = db.page(cursor_, kPageSize);
            if (page.size() < kPageSize) exhausted_ = true;
            if (!page.isEmpty()) cursor_ = page.back().id;
            noteModels(page);
            for (const auto& j : page) {
                if (accepts(j)) out << j;
            }
            // A first screen only needs kPageSize rows; the rest comes with fetchMore.
            if (++pages >= kMaxPagesPerFetch && out.size() >= std::min(wanted, kPageSize)) break;
        }
        return out;
    }
    exhausted_ = true;
    if (!search_.isEmpty()) {
        const auto found = db.search(search_, kSearchLimit);
        noteModels(found);
        for (const auto& j : found) {
            if (accepts(j)) out << j;
        }
    } else {
        // Oldest first and A-Z need every job; reading 1000 rows per page keeps this to a few
        // queries for a typical history.
        std::optional<int64_t> before;
        for (;;) {
            const auto page = db.page(before, kFullReadPage);
            noteModels(page);
            for (const auto& j : page) {
                if (accepts(j)) out << j;
            }
            if (page.size() < kFullReadPage) break;
            before = page.back().id;
        }
    }
    switch (sort_) {
    case Sort::Newest:
        std::stable_sort(out.begin(), out.end(), [](const studio::Job& a, const studio::Job& b) { return a.id > b.id; });
        break;
    case Sort::Oldest:
        std::stable_sort(out.begin(), out.end(), [](const studio::Job& a, const studio::Job& b) { return a.id < b.id; });
        break;
    case Sort::PromptAZ: {
        QCollator collator;  // the user's locale: accents and case the way they expect
        collator.setCaseSensitivity(Qt::CaseInsensitive);
        std::stable_sort(out.begin(), out.end(), [&](const studio::Job& a, const studio::Job& b) {
            const int c = collator.compare(a.request.prompt, b.request.prompt);
            return c != 0 ? c < 0 : a.id > b.id;
        });
        break;
    }
    }
    return out;
}

// Moves from the rows shown to `next` with removals, a reorder and insertions instead of a reset, so
// the view's selection and current item stay on the same jobs wherever they still appear.
void HistoryModel::applyRows(QVector<studio::Job> next) {
    QHash<qint64, int> nextPos;
    for (int i = 0; i < next.size(); ++i) nextPos.insert(next[i].id, i);

    // 1. Rows that go, in contiguous runs from the end.
    for (int i = int(rows_.size()) - 1; i >= 0;) {
        if (nextPos.contains(rows_[i].id)) {
            --i;
            continue;
        }
        int first = i;
        while (first > 0 && !nextPos.contains(rows_[first - 1].id)) --first;
        beginRemoveRows({}, first, i);
        rows_.erase(rows_.begin() + first, rows_.begin() + i + 1);
        endRemoveRows();
        i = first - 1;
    }

    // 2. The rows that stay, put in their new relative order (a new sort) as a layout change.
    const bool inOrder = std::is_sorted(rows_.begin(), rows_.end(), [&](const studio::Job& a, const studio::Job& b) {
        return nextPos.value(a.id) < nextPos.value(b.id);
    });
    if (!inOrder) {
        emit layoutAboutToBeChanged();
        QVector<studio::Job> reordered = rows_;
        std::sort(reordered.begin(), reordered.end(), [&](const studio::Job& a, const studio::Job& b) {
            return nextPos.value(a.id) < nextPos.value(b.id);
        });
        QHash<qint64, int> newRow;
        for (int i = 0; i < reordered.size(); ++i) newRow.insert(reordered[i].id, i);
        const auto persistent = persistentIndexList();
        QModelIndexList to;
        for (const auto& p : persistent) {
            to << (p.row() < rows_.size() ? index(newRow.value(rows_[p.row()].id)) : QModelIndex());
        }
        rows_ = std::move(reordered);
        changePersistentIndexList(persistent, to);
        emit layoutChanged();
    }

    // 3. New rows, in contiguous runs; rows that stay take the new data (favourite, state).
    QSet<qint64> staying;
    for (const auto& j : rows_) staying.insert(j.id);
    for (int k = 0; k < next.size();) {
        if (k < rows_.size() && rows_[k].id == next[k].id) {
            rows_[k] = next[k];
            ++k;
            continue;
        }
        int end = k;
        while (end < next.size() && !staying.contains(next[end].id)) ++end;
        beginInsertRows({}, k, end - 1);
        rows_ = rows_.mid(0, k) + next.mid(k, end - k) + rows_.mid(k);
        endInsertRows();
        k = end;
    }
    if (!rows_.isEmpty()) emit dataChanged(index(0), index(int(rows_.size()) - 1));
}

}  // namespace kinora::ui
