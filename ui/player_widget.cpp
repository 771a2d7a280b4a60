#include "ui/player_widget.h"

#include "ui/elided_label.h"
#include "ui/transport_icons.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace kinora::ui {
namespace {

QToolButton* buttonFor(QAction* action, QWidget* parent) {
    auto* b = new QToolButton(parent);
    b->setDefaultAction(action);
    b->setAutoRaise(true);
    b->setIconSize({20, 20});
    return b;
}

}  // namespace

PlayerWidget::PlayerWidget(QWidget* parent) : QWidget(parent), timer_(new QTimer(this)), view_(new FrameView(this)) {
    timer_->setTimerType(Qt::PreciseTimer);
    connect(timer_, &QTimer::timeout, this, &PlayerWidget::tick);

    auto makeAction = [&](TransportIcon icon, const QString& text, const QList<QKeySequence>& keys) {
        auto* a = new QAction(transportIcon(icon, palette()), text, this);
        a->setShortcuts(keys);
        // Shortcuts work anywhere in the window, except where a text field wants the key itself.
        a->setShortcutContext(Qt::WindowShortcut);
        a->setToolTip(keys.isEmpty() ? text : QStringLiteral("%1 (%2)").arg(text, keys.front().toString(QKeySequence::NativeText)));
        return a;
    };
    startAction_ = makeAction(TransportIcon::ToStart, tr("Go to start"), {Qt::Key_Home});
    backAction_ = makeAction(TransportIcon::StepBack, tr("Previous frame"), {Qt::Key_Left, Qt::Key_Comma});
    playAction_ = makeAction(TransportIcon::Play, tr("Play"), {Qt::Key_Space});
    forwardAction_ = makeAction(TransportIcon::StepForward, tr("Next frame"), {Qt::Key_Right, Qt::Key_Period});
    endAction_ = makeAction(TransportIcon::ToEnd, tr("Go to end"), {Qt::Key_End});
    loopAction_ = makeAction(TransportIcon::Loop, tr("Loop"), {Qt::Key_L});
    loopAction_->setCheckable(true);
    loopAction_->setChecked(loop_);
    connect(startAction_, &QAction::triggered, this, &PlayerWidget::toStart);
    connect(backAction_, &QAction::triggered, this, &PlayerWidget::stepBack);
    connect(playAction_, &QAction::triggered, this, &PlayerWidget::togglePlay);
    connect(forwardAction_, &QAction::triggered, this, &PlayerWidget::stepForward);
    connect(endAction_, &QAction::triggered, this, &PlayerWidget::toEnd);
    connect(loopAction_, &QAction::toggled, this, &PlayerWidget::setLooping);

    position_ = new QLabel(this);
    position_->setObjectName(QStringLiteral("playerPosition"));
    position_->setMinimumWidth(position_->fontMetrics().horizontalAdvance(QStringLiteral("frame 888/888  88.8 s")));
    caption_ = new ElidedLabel(this);
    caption_->setObjectName(QStringLiteral("playerCaption"));
    zoom_ = new QComboBox(this);
    zoom_->addItem(tr("Fit"), int(FrameView::Zoom::Fit));
    zoom_->addItem(tr("1:1"), int(FrameView::Zoom::Actual));
    zoom_->setToolTip(tr("Zoom: fit the window (small clips are enlarged by whole factors, pixels stay sharp) or actual pixels"));
    connect(zoom_, &QComboBox::currentIndexChanged, this,
            [this] { view_->setZoom(FrameView::Zoom(zoom_->currentData().toInt())); });

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(6, 2, 6, 2);
    for (auto* a : {startAction_, backAction_, playAction_, forwardAction_, endAction_}) controls->addWidget(buttonFor(a, this));
    controls->addSpacing(8);
    controls->addWidget(buttonFor(loopAction_, this));
    controls->addSpacing(8);
    controls->addWidget(position_);
    controls->addWidget(caption_, 1);
    controls->addWidget(zoom_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(view_, 1);
    layout->addLayout(controls);
    clear(tr("Type a prompt and press Ctrl+Return to make your first clip."));
}

void PlayerWidget::setClip(const ClipFrames& clip) {
    pause();
    clip_ = clip;
    previewing_ = false;
    preview_.clear();
    caption_->setFullText(clip.record ? QString::fromStdString(clip.record->prompt) : QString());
    if (!clip.ok()) {
        view_->setImage({});
        view_->setPlaceholder(clip.error);
    }
    current_ = 0;
    showFrame(0);
    updateControls();
    emit clipChanged();
}

void PlayerWidget::setPreview(const QVector<QImage>& frames, double fps, const QString& caption) {
    const bool wasPreviewing = previewing_;
    previewing_ = true;
    preview_ = frames;
    previewFps_ = fps > 0 ? fps : 8;
    caption_->setFullText(caption);
    if (!wasPreviewing) {
        current_ = 0;
        emit clipChanged();
    }
    // The preview loops while the job runs, so the denoising is seen as motion, not as a still.
    if (!playing_) {
        loop_ = true;
        play();
    }
    showFrame(std::min(current_, frameCount() - 1));
    updateControls();
}

void PlayerWidget::clear(const QString& message) {
    pause();
    clip_ = ClipFrames{};
    preview_.clear();
    previewing_ = false;
    current_ = 0;
    caption_->setFullText({});
    view_->setImage({});
    view_->setPlaceholder(message);
    updateControls();
    emit clipChanged();
}

QString PlayerWidget::caption() const { return caption_->fullText(); }

QString PlayerWidget::positionText() const {
    if (!hasClip()) return QStringLiteral("-");
    const double fps = previewing_ ? previewFps_ : clip_.fps;
    return tr("frame %1/%2  %3 s").arg(current_ + 1).arg(frameCount()).arg(current_ / fps, 0, 'f', 2);
}

void PlayerWidget::play() {
    if (!hasClip() || frameCount() < 2) return;
    if (!loop_ && current_ >= frameCount() - 1) current_ = 0;  // play again from the start
    playing_ = true;
    playStartFrame_ = current_;
    clock_.start();
    const double fps = previewing_ ? previewFps_ : clip_.fps;
    // Tick at twice the frame rate (at most every 4 ms); the clock decides which frame is due.
    timer_->start(std::max(4, int(500.0 / fps)));
    updateControls();
    emit playingChanged(true);
}

void PlayerWidget::pause() {
    if (!playing_) return;
    playing_ = false;
    timer_->stop();
    updateControls();
    emit playingChanged(false);
}

void PlayerWidget::togglePlay() { playing_ ? pause() : play(); }

void PlayerWidget::tick() {
    const int n = frameCount();
    if (n == 0) return pause();
    const double fps = previewing_ ? previewFps_ : clip_.fps;
    const int64_t advanced = int64_t(std::floor(clock_.nsecsElapsed() * 1e-9 * fps));
    int64_t frame = playStartFrame_ + advanced;
    if (frame >= n) {
        if (loop_) {
            frame %= n;
        } else {
            showFrame(n - 1);
            return pause();
        }
    }
    if (frame != current_) showFrame(int(frame));
}

void PlayerWidget::seek(int frame) {
    if (!hasClip()) return;
    frame = std::clamp(frame, 0, frameCount() - 1);
    if (playing_) {
        playStartFrame_ = frame;
        clock_.restart();
    }
    showFrame(frame);
}

void PlayerWidget::stepForward() {
    pause();
    if (hasClip()) showFrame(loop_ ? (current_ + 1) % frameCount() : std::min(current_ + 1, frameCount() - 1));
}

void PlayerWidget::stepBack() {
    pause();
    if (hasClip()) showFrame(loop_ ? (current_ + frameCount() - 1) % frameCount() : std::max(current_ - 1, 0));
}

void PlayerWidget::toStart() {
    pause();
    seek(0);
}

void PlayerWidget::toEnd() {
    pause();
    seek(frameCount() - 1);
}

void PlayerWidget::setLooping(bool loop) {
    loop_ = loop;
    if (loopAction_->isChecked() != loop) loopAction_->setChecked(loop);
}

void PlayerWidget::setZoom(FrameView::Zoom zoom) {
    zoom_->setCurrentIndex(zoom == FrameView::Zoom::Fit ? 0 : 1);
    view_->setZoom(zoom);
}

void PlayerWidget::showFrame(int frame) {
    if (!hasClip()) {
        position_->setText(positionText());
        return;
    }
    current_ = std::clamp(frame, 0, frameCount() - 1);
    view_->setImage(frames()[current_]);
    position_->setText(positionText());
    emit frameChanged(current_);
}

void PlayerWidget::updateControls() {
    const bool has = hasClip();
    for (auto* a : {startAction_, backAction_, forwardAction_, endAction_}) a->setEnabled(has && !previewing_);
    playAction_->setEnabled(has && frameCount() > 1);
    playAction_->setIcon(transportIcon(playing_ ? TransportIcon::Pause : TransportIcon::Play, palette()));
    playAction_->setText(playing_ ? tr("Pause") : tr("Play"));
    position_->setText(positionText());
}

}  // namespace kinora::ui
