// The queue as a list model: the running job first, then the queued ones in order. Rows follow the job
// queue's signals; progress and live previews update a row in place (one dataChanged, no reset), so the
// view repaints only what moved. Queued rows can be reordered by drag and drop.
#pragma once

#include "studio/job_queue.h"

#include <QAbstractListModel>
#include <QElapsedTimer>
#include <QImage>
#include <QVector>

namespace kinora::ui {

struct QueueRow {
    int64_t id = 0;
    QString prompt;
    bool running = false;
    QString stage;          // "loading model", "denoising", ... while running
    int step = 0, total = 0;
    double elapsed = 0, eta = 0;
    QVector<QImage> preview;  // the latest live preview (latent resolution)
    int previewStep = 0;
};

class QueueModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles { IdRole = Qt::UserRole + 1, PromptRole, RunningRole, StageRole, StepRole, TotalRole, ElapsedRole, EtaRole, PreviewRole };

    explicit QueueModel(studio::JobQueue& queue, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    Qt::DropActions supportedDropActions() const override { return Qt::MoveAction; }
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    bool canDropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column, const QModelIndex& parent) const override;
    bool dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column, const QModelIndex& parent) override;

    const QueueRow* rowFor(int64_t id) const;
    int rowOf(int64_t id) const;
    const QVector<QueueRow>& rows() const { return rows_; }

    // Moves queued job `id` so that it runs as the `position`-th queued job (0 = next).
    void moveJob(int64_t id, int position);

public slots:
    void reload();

private:
    void onProgress(const studio::JobProgress& p);
    void onPreview(const studio::PreviewFrames& f);

    studio::JobQueue& queue_;
    QVector<QueueRow> rows_;
};

}  // namespace kinora::ui
