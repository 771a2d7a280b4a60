#include "ui/queue_model.h"

#include "ui/clip_frames.h"

#include <QDataStream>
#include <QMimeData>

namespace kinora::ui {
namespace {

const QString kMime = QStringLiteral("application/x-kinora-job-id");

}  // namespace

QueueModel::QueueModel(studio::JobQueue& queue, QObject* parent) : QAbstractListModel(parent), queue_(queue) {
    connect(&queue_, &studio::JobQueue::queueChanged, this, &QueueModel::reload);
    connect(&queue_, &studio::JobQueue::jobStarted, this, &QueueModel::reload);
    connect(&queue_, &studio::JobQueue::jobFinished, this, &QueueModel::reload);
    connect(&queue_, &studio::JobQueue::progress, this, &QueueModel::onProgress);
    connect(&queue_, &studio::JobQueue::preview, this, &QueueModel::onPreview);
    reload();
}

void QueueModel::reload() {
    // Progress and previews of jobs that are still here are kept: the queue's rows do not carry them.
    QVector<QueueRow> next;
    const int64_t running = queue_.runningJob();
    auto keep = [&](QueueRow row) {
        if (const auto* old = rowFor(row.id)) {
            row.stage = old->stage;
            row.step = old->step;
            row.total = old->total;
            row.elapsed = old->elapsed;
            row.eta = old->eta;
            row.preview = old->preview;
            row.previewStep = old->previewStep;
        }
        next.push_back(std::move(row));
    };
    if (running > 0) {
        if (const auto job = queue_.history().find(running)) {
            QueueRow row;
            row.id = job->id;
            row.prompt = job->request.prompt;
            row.running = true;
            if (!rowFor(running)) row.stage = tr("starting");
            keep(row);
        }
    }
    for (const auto& job : queue_.history().queued()) {
        if (job.id == running) continue;
        QueueRow row;
        row.id = job.id;
        row.prompt = job.request.prompt;
        keep(row);
    }
    for (auto& r : next) r.running = r.id == running;
    beginResetModel();
    rows_ = std::move(next);
    endResetModel();
}

const QueueRow* QueueModel::rowFor(int64_t id) const {
    const int r = rowOf(id);
    return r >= 0 ? &rows_[r] : nullptr;
}

int QueueModel::rowOf(int64_t id) const {
    for (int i = 0; i < rows_.size(); ++i) {
        if (rows_[i].id == id) return i;
    }
    return -1;
}

void QueueModel::onProgress(const studio::JobProgress& p) {
    const int r = rowOf(p.id);
    if (r < 0) return;
    auto& row = rows_[r];
    row.running = true;
    row.stage = p.stage;
    row.step = p.step;
    row.total = p.total;
    row.elapsed = p.elapsed;
    row.eta = p.eta;
    emit dataChanged(index(r), index(r));
}

void QueueModel::onPreview(const studio::PreviewFrames& f) {
    const int r = rowOf(f.id);
    if (r < 0) return;
    auto images = imagesFromRgb(f.rgb, f.frames, f.width, f.height);
    if (images.isEmpty()) return;
    rows_[r].preview = std::move(images);
    rows_[r].previewStep = f.step;
    emit dataChanged(index(r), index(r), {PreviewRole});
}

int QueueModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }

QVariant QueueModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_.size()) return {};
    const auto& r = rows_[index.row()];
    switch (role) {
        case Qt::DisplayRole:
        case PromptRole: return r.prompt;
        case Qt::ToolTipRole: return tr("Job %1: %2").arg(r.id).arg(r.prompt);
        case IdRole: return qint64(r.id);
        case RunningRole: return r.running;
        case StageRole: return r.stage;
        case StepRole: return r.step;
        case TotalRole: return r.total;
        case ElapsedRole: return r.elapsed;
        case EtaRole: return r.eta;
        case PreviewRole: return QVariant::fromValue(r.preview);
        default: return {};
    }
}

Qt::ItemFlags QueueModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::ItemIsDropEnabled;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    // The running job stays where it is; queued jobs can be dragged.
    if (!rows_[index.row()].running) f |= Qt::ItemIsDragEnabled;
    return f;
}

QStringList QueueModel::mimeTypes() const { return {kMime}; }

QMimeData* QueueModel::mimeData(const QModelIndexList& indexes) const {
    if (indexes.isEmpty()) return nullptr;
    auto* mime = new QMimeData;
    mime->setData(kMime, QByteArray::number(qint64(rows_[indexes.front().row()].id)));
    return mime;
}

bool QueueModel::canDropMimeData(const QMimeData* data, Qt::DropAction action, int, int, const QModelIndex&) const {
    return action == Qt::MoveAction && data && data->hasFormat(kMime);
}

bool QueueModel::dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int, const QModelIndex& parent) {
    if (!canDropMimeData(data, action, row, 0, parent)) return false;
    bool ok = false;
    const int64_t id = data->data(kMime).toLongLong(&ok);
    if (!ok) return false;
    if (row < 0) row = parent.isValid() ? parent.row() : int(rows_.size());
    // Rows above the drop point that are not queued (the running job) do not count as queue positions.
    int position = 0;
    for (int i = 0; i < row && i < rows_.size(); ++i) {
        if (!rows_[i].running && rows_[i].id != id) ++position;
    }
    moveJob(id, position);
    // The model reloads from the queue's signal; returning false keeps the view from removing the
    // source row itself.
    return false;
}

void QueueModel::moveJob(int64_t id, int position) {
    try {
        queue_.move(id, position);
    } catch (const std::exception&) {
        // It started or finished while being dragged: nothing to move any more.
    }
    reload();
}

}  // namespace kinora::ui
