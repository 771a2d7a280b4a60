// How the History dock draws a job: a frame of its thumbnail strip (the middle one; while the mouse
// rests on the item, every frame of the strip in turn, so the motion shows without decoding video),
// the prompt on one elided line, and the date, or the state for jobs that did not finish.
#pragma once

#include <QPersistentModelIndex>
#include <QPixmap>
#include <QStyledItemDelegate>
#include <QTimer>

namespace kinora::ui {

class HistoryDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    // A strip frame is shown this long while hovering: the strip holds up to 8 frames spread over the
    // clip, so one pass takes about a second, near the clip's own length.
    static constexpr int kHoverFrameMs = 140;

    explicit HistoryDelegate(QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    // The item under the mouse (an invalid index: none). Starts or stops the animation.
    void setHoverIndex(const QModelIndex& index);
    QModelIndex hoverIndex() const { return hover_; }
    // Which frame of the strip `index` shows now.
    int frameShown(const QModelIndex& index) const;

    // The thumbnail strip of a job (cached; a null pixmap when the file is missing or unreadable).
    static QPixmap strip(const QString& path);

signals:
    // The item needs painting again (the animation moved on).
    void repaintRequested(const QModelIndex& index);

private:
    void advance();

    QTimer timer_;
    QPersistentModelIndex hover_;
    int hoverFrame_ = 0;
};

}  // namespace kinora::ui
