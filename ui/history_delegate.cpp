#include "ui/history_delegate.h"

#include "studio/job.h"
#include "studio/job_files.h"
#include "ui/history_model.h"

#include <QApplication>
#include <QPainter>
#include <QPixmapCache>
#include <QStyle>

namespace kinora::ui {
namespace {

constexpr int kPad = 6;
constexpr int kThumbBoxWidth = 128;  // a 2:1 box: square clips use half, wide ones more

}  // namespace

HistoryDelegate::HistoryDelegate(QObject* parent) : QStyledItemDelegate(parent) {
    timer_.setInterval(kHoverFrameMs);
    connect(&timer_, &QTimer::timeout, this, &HistoryDelegate::advance);
}

QPixmap HistoryDelegate::strip(const QString& path) {
    if (path.isEmpty()) return {};
    // Job folders never change once written, so the path alone identifies the picture.
    const QString key = QStringLiteral("kinora-strip:") + path;
    QPixmap pm;
    if (QPixmapCache::find(key, &pm)) return pm;
    if (!pm.load(path, "PNG")) return {};
    QPixmapCache::insert(key, pm);
    return pm;
}

void HistoryDelegate::setHoverIndex(const QModelIndex& index) {
    if (QPersistentModelIndex(index) == hover_) return;
    const QModelIndex old = hover_;
    hover_ = index;
    hoverFrame_ = 0;
    if (old.isValid()) emit repaintRequested(old);
    if (hover_.isValid() && hover_.data(HistoryModel::ThumbCountRole).toInt() > 1) {
        timer_.start();
        emit repaintRequested(hover_);
    } else {
        timer_.stop();
    }
}

int HistoryDelegate::frameShown(const QModelIndex& index) const {
    const int count = std::max(1, index.data(HistoryModel::ThumbCountRole).toInt());
    if (hover_.isValid() && QPersistentModelIndex(index) == hover_) return hoverFrame_ % count;
    return count / 2;
}

void HistoryDelegate::advance() {
    if (!hover_.isValid()) {
        timer_.stop();
        return;
    }
    ++hoverFrame_;
    emit repaintRequested(hover_);
}

QSize HistoryDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const {
    const QFontMetrics fm(option.font);
    return {kThumbBoxWidth + 2 * kPad, studio::kThumbHeight + 2 * fm.height() + 3 * kPad};
}

void HistoryDelegate::paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    // The selection and hover background only; text and picture are ours.
    opt.text.clear();
    opt.icon = {};
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, p, widget);

    p->save();
    const QRect r = option.rect.adjusted(kPad, kPad, -kPad, -kPad);
    const QRect box(r.left() + (r.width() - kThumbBoxWidth) / 2, r.top(), kThumbBoxWidth, studio::kThumbHeight);
    const QPixmap pm = strip(index.data(HistoryModel::ThumbsPathRole).toString());
    const int count = std::max(1, index.data(HistoryModel::ThumbCountRole).toInt());
    if (!pm.isNull() && pm.width() >= count) {
        const int frameWidth = pm.width() / count;
        const QRect src(frameShown(index) * frameWidth, 0, frameWidth, pm.height());
        QSize fit = src.size().scaled(box.size(), Qt::KeepAspectRatio);
        const QRect dst(box.left() + (box.width() - fit.width()) / 2, box.top() + (box.height() - fit.height()) / 2,
                        fit.width(), fit.height());
        p->setRenderHint(QPainter::SmoothPixmapTransform);
        p->drawPixmap(dst, pm, src);
    } else {
        // Failed, cancelled and interrupted jobs have no pictures; say why in the box.
        p->fillRect(box, option.palette.color(QPalette::AlternateBase));
        p->setPen(option.palette.color(QPalette::PlaceholderText));
        const QString state = index.data(HistoryModel::StateTextRole).toString();
        p->drawText(box, Qt::AlignCenter, state.isEmpty() ? tr("No picture") : state);
    }
    if (index.data(HistoryModel::FavouriteRole).toBool()) {
        QFont f = option.font;
        f.setPointSizeF(f.pointSizeF() * 1.3);
        p->setFont(f);
        p->setPen(QColor(0xf2, 0xc0, 0x3a));
        p->drawText(box.adjusted(2, 0, -2, 0), Qt::AlignTop | Qt::AlignRight, QStringLiteral("\u2605"));
        p->setFont(option.font);
    }

    const QFontMetrics fm(option.font);
    const bool selected = option.state & QStyle::State_Selected;
    const QColor text = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QRect promptRect(r.left(), box.bottom() + kPad, r.width(), fm.height());
    p->setPen(text);
    p->drawText(promptRect, Qt::AlignHCenter | Qt::AlignVCenter,
                fm.elidedText(index.data(HistoryModel::PromptRole).toString().simplified(), Qt::ElideRight, r.width()));

    const QString state = index.data(HistoryModel::StateTextRole).toString();
    const QString date = index.data(HistoryModel::DateTextRole).toString();
    const QString second = state.isEmpty() ? date : tr("%1 · %2").arg(state, date);
    QColor dim = text;
    dim.setAlphaF(0.65);
    p->setPen(state.isEmpty() ? dim : QColor(0xe0, 0x6c, 0x5f));
    p->drawText(promptRect.translated(0, fm.height()), Qt::AlignHCenter | Qt::AlignVCenter,
                fm.elidedText(second, Qt::ElideRight, r.width()));
    p->restore();
}

}  // namespace kinora::ui
