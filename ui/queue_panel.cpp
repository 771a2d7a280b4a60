#include "ui/queue_panel.h"

#include <QAction>
#include <QApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

namespace kinora::ui {

QString durationText(double seconds) {
    if (seconds < 10) return QCoreApplication::translate("QueuePanel", "%1 s").arg(seconds, 0, 'f', 1);
    const int s = int(std::lround(seconds));
    if (s < 60) return QCoreApplication::translate("QueuePanel", "%1 s").arg(s);
    return QCoreApplication::translate("QueuePanel", "%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

namespace {

constexpr int kPreviewSide = 56;
constexpr int kRowHeight = 68;

// Paints a row: preview (animated), prompt, progress bar with step i/N and times, or "queued".
class QueueDelegate : public QStyledItemDelegate {
public:
    QueueDelegate(const QueuePanel* panel, QObject* parent) : QStyledItemDelegate(parent), panel_(panel) {}

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const override {
        return {option.rect.width() > 0 ? option.rect.width() : 240, kRowHeight};
    }

    void paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        QStyleOptionViewItem opt(option);
        initStyleOption(&opt, index);
        opt.text.clear();
        QStyle* style = opt.widget ? opt.widget->style() : QApplication::style();
        style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, p, opt.widget);

        const QRect r = option.rect.adjusted(6, 6, -6, -6);
        const QRect thumb(r.left(), r.top() + (r.height() - kPreviewSide) / 2, kPreviewSide, kPreviewSide);
        p->fillRect(thumb, QColor(0x10, 0x10, 0x10));
        const auto preview = index.data(QueueModel::PreviewRole).value<QVector<QImage>>();
        if (!preview.isEmpty()) {
            const QImage& img = preview[panel_->animationFrame() % preview.size()];
            const QSize s = img.size().scaled(thumb.size(), Qt::KeepAspectRatio);
            p->setRenderHint(QPainter::SmoothPixmapTransform, false);  // latent-sized: keep it blocky, not blurred
            p->drawImage(QRect(thumb.center() - QPoint(s.width() / 2, s.height() / 2), s), img);
        }
        const QColor text = option.state & QStyle::State_Selected ? option.palette.color(QPalette::HighlightedText)
                                                                  : option.palette.color(QPalette::Text);
        const QRect body = r.adjusted(kPreviewSide + 8, 0, 0, 0);
        p->setPen(text);
        const QString prompt = QStringLiteral("#%1  %2").arg(index.data(QueueModel::IdRole).toLongLong()).arg(index.data(QueueModel::PromptRole).toString());
        p->drawText(QRect(body.left(), body.top(), body.width(), body.height() / 2), Qt::AlignLeft | Qt::AlignVCenter,
                    option.fontMetrics.elidedText(prompt, Qt::ElideRight, body.width()));

        const QRect lower(body.left(), body.top() + body.height() / 2, body.width(), body.height() / 2);
        if (!index.data(QueueModel::RunningRole).toBool()) {
            p->setPen(option.palette.color(QPalette::PlaceholderText));
            p->drawText(lower, Qt::AlignLeft | Qt::AlignVCenter, QueuePanel::tr("queued"));
            return;
        }
        const int step = index.data(QueueModel::StepRole).toInt(), total = index.data(QueueModel::TotalRole).toInt();
        const QString stage = index.data(QueueModel::StageRole).toString();
        QStyleOptionProgressBar bar;
        bar.rect = lower.adjusted(0, 2, 0, -2);
        bar.minimum = 0;
        bar.maximum = std::max(1, total);
        bar.progress = total > 0 ? step : 0;
        bar.textVisible = true;
        bar.state = QStyle::State_Enabled | QStyle::State_Horizontal;
        bar.palette = option.palette;
        const double elapsed = index.data(QueueModel::ElapsedRole).toDouble(), eta = index.data(QueueModel::EtaRole).toDouble();
        if (stage == QLatin1String("denoising") && total > 0) {
            bar.text = QueuePanel::tr("step %1/%2 · %3 · %4 left").arg(step).arg(total).arg(durationText(elapsed), durationText(eta));
        } else {
            // Before denoising there is no step count yet: the bar is busy, and says what is happening.
            bar.maximum = total > 0 && step >= total ? total : 0;
            bar.text = QueuePanel::tr("%1 · %2").arg(stage.isEmpty() ? QueuePanel::tr("starting") : stage, durationText(elapsed));
        }
        style->drawControl(QStyle::CE_ProgressBar, &bar, p, opt.widget);
    }

private:
    const QueuePanel* panel_;
};

}  // namespace

QueuePanel::QueuePanel(studio::JobQueue& queue, QWidget* parent)
    : QWidget(parent), queue_(queue), model_(new QueueModel(queue, this)), view_(new QListView(this)),
      animation_(new QTimer(this)) {
    view_->setObjectName(QStringLiteral("queueView"));
    view_->setModel(model_);
    view_->setItemDelegate(new QueueDelegate(this, view_));
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    view_->setDragDropMode(QAbstractItemView::InternalMove);
    view_->setDefaultDropAction(Qt::MoveAction);
    view_->setDragEnabled(true);
    view_->setAcceptDrops(true);
    view_->setDropIndicatorShown(true);
    view_->setUniformItemSizes(true);
    view_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view_, &QListView::customContextMenuRequested, this, &QueuePanel::showMenu);

    pause_ = new QPushButton(tr("Pause queue"), this);
    pause_->setCheckable(true);
    pause_->setChecked(queue_.paused());
    pause_->setToolTip(tr("Pausing lets the running clip finish and starts nothing new until you resume"));
    connect(pause_, &QPushButton::toggled, this, [this](bool on) { on ? queue_.pause() : queue_.resume(); });
    connect(&queue_, &studio::JobQueue::pausedChanged, this, [this](bool paused) {
        pause_->setChecked(paused);
        updateButtons();
    });
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setToolTip(tr("Cancel the selected job (Delete); a running job stops within one step"));
    connect(cancel_, &QPushButton::clicked, this, &QueuePanel::cancelSelected);
    auto* del = new QAction(tr("Cancel job"), this);
    del->setShortcut(QKeySequence::Delete);
    del->setShortcutContext(Qt::WidgetShortcut);
    view_->addAction(del);
    connect(del, &QAction::triggered, this, &QueuePanel::cancelSelected);
    summary_ = new QLabel(this);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(summary_, 1);
    buttons->addWidget(pause_);
    buttons->addWidget(cancel_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(view_, 1);
    layout->addLayout(buttons);

    // The previews animate at 8 fps while a running job has one; the timer stops when none has.
    animation_->setInterval(125);
    connect(animation_, &QTimer::timeout, this, [this] {
        ++animationFrame_;
        for (int r = 0; r < model_->rowCount(); ++r) {
            if (!model_->rows()[r].preview.isEmpty()) view_->update(model_->index(r));
        }
    });
    auto refresh = [this] {
        bool anyPreview = false;
        for (const auto& r : model_->rows()) anyPreview |= !r.preview.isEmpty();
        if (anyPreview && !animation_->isActive()) animation_->start();
        if (!anyPreview) animation_->stop();
        updateButtons();
    };
    connect(model_, &QAbstractItemModel::modelReset, this, refresh);
    connect(model_, &QAbstractItemModel::dataChanged, this, refresh);
    connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &QueuePanel::updateButtons);
    refresh();
}

void QueuePanel::updateButtons() {
    const auto sel = view_->selectionModel()->selectedIndexes();
    cancel_->setEnabled(!sel.isEmpty());
    pause_->setText(queue_.paused() ? tr("Resume queue") : tr("Pause queue"));
    const int n = model_->rowCount();
    int waiting = 0;
    for (const auto& r : model_->rows()) waiting += r.running ? 0 : 1;
    if (n == 0) {
        summary_->setText(queue_.paused() ? tr("Paused · nothing queued") : tr("Nothing queued"));
    } else {
        summary_->setText((queue_.paused() ? tr("Paused · ") : QString()) + tr("%n waiting", nullptr, waiting));
    }
}

void QueuePanel::cancelSelected() {
    const auto sel = view_->selectionModel()->selectedIndexes();
    if (sel.isEmpty()) return;
    const int64_t id = sel.front().data(QueueModel::IdRole).toLongLong();
    if (queue_.cancel(id)) {
        emit statusMessage(tr("Cancelled job %1").arg(id));
    } else {
        emit statusMessage(tr("Job %1 had already finished").arg(id));
    }
    model_->reload();
}

void QueuePanel::showMenu(const QPoint& pos) {
    const QModelIndex index = view_->indexAt(pos);
    if (!index.isValid()) return;
    view_->setCurrentIndex(index);
    QMenu menu(this);
    const int64_t id = index.data(QueueModel::IdRole).toLongLong();
    const bool running = index.data(QueueModel::RunningRole).toBool();
    menu.addAction(running ? tr("Stop this job") : tr("Cancel"), this, &QueuePanel::cancelSelected);
    if (!running) {
        menu.addAction(tr("Run next"), this, [this, id] { model_->moveJob(id, 0); });
        menu.addAction(tr("Run last"), this, [this, id] { model_->moveJob(id, 1 << 30); });
    }
    menu.exec(view_->viewport()->mapToGlobal(pos));
}

}  // namespace kinora::ui
