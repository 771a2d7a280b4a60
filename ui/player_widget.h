// The player: a clip at its own frame rate with play/pause, loop, frame steps, jump to start/end, zoom
// (fit or 1:1) and the current frame and time. Playback follows a monotonic clock, not timer ticks, so
// a late tick skips to the right frame instead of slowing the clip down.
#pragma once

#include "ui/clip_frames.h"
#include "ui/frame_view.h"

#include <QElapsedTimer>
#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QTimer;
class QToolButton;

namespace kinora::ui {

class ElidedLabel;

class PlayerWidget : public QWidget {
    Q_OBJECT
public:
    explicit PlayerWidget(QWidget* parent = nullptr);

    void setClip(const ClipFrames& clip);
    // Frames that are not a file yet (the live preview of a running job); `fps` sets the playback rate.
    void setPreview(const QVector<QImage>& frames, double fps, const QString& caption);
    void clear(const QString& message);

    const ClipFrames& clip() const { return clip_; }
    bool hasClip() const { return !frames().isEmpty(); }
    bool showingPreview() const { return previewing_; }
    int currentFrame() const { return current_; }
    int frameCount() const { return int(frames().size()); }
    bool playing() const { return playing_; }
    bool looping() const { return loop_; }
    FrameView* view() const { return view_; }
    QString positionText() const;
    QString caption() const;  // the whole prompt of the clip or preview shown

    // Actions for menus and shortcuts (Space, Left/Right and , ., Home/End, L for loop).
    QAction* playAction() const { return playAction_; }
    QAction* stepBackAction() const { return backAction_; }
    QAction* stepForwardAction() const { return forwardAction_; }
    QAction* startAction() const { return startAction_; }
    QAction* endAction() const { return endAction_; }
    QAction* loopAction() const { return loopAction_; }

public slots:
    void play();
    void pause();
    void togglePlay();
    void seek(int frame);
    void stepForward();
    void stepBack();
    void toStart();
    void toEnd();
    void setLooping(bool loop);
    void setZoom(FrameView::Zoom zoom);

signals:
    void frameChanged(int frame);
    void clipChanged();
    void playingChanged(bool playing);

private:
    const QVector<QImage>& frames() const { return previewing_ ? preview_ : clip_.frames; }
    void tick();
    void showFrame(int frame);  // not show(): that would hide QWidget::show
    void updateControls();

    ClipFrames clip_;
    QVector<QImage> preview_;
    double previewFps_ = 8;
    bool previewing_ = false;
    int current_ = 0;
    bool playing_ = false;
    bool loop_ = true;
    int playStartFrame_ = 0;
    QElapsedTimer clock_;
    QTimer* timer_;
    FrameView* view_;
    QLabel* position_;
    ElidedLabel* caption_;  // the clip's prompt, elided to the room beside the controls
    QComboBox* zoom_;
    QAction *playAction_, *backAction_, *forwardAction_, *startAction_, *endAction_, *loopAction_;
};

}  // namespace kinora::ui
