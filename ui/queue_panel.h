// The queue dock: every waiting and running job with its prompt, a progress bar with step i/N, elapsed
// and remaining time, and an animated live preview of the clip being denoised; cancel (button, Delete
// key, context menu), drag to reorder, pause/resume the whole queue.
#pragma once

#include "ui/queue_model.h"

#include <QWidget>

class QListView;
class QPushButton;
class QLabel;
class QTimer;

namespace kinora::ui {

class QueuePanel : public QWidget {
    Q_OBJECT
public:
    explicit QueuePanel(studio::JobQueue& queue, QWidget* parent = nullptr);

    QueueModel* model() const { return model_; }
    QListView* view() const { return view_; }
    QPushButton* pauseButton() const { return pause_; }
    QPushButton* cancelButton() const { return cancel_; }
    // Frame of the previews' animation (advances at 8 fps while a preview is shown).
    int animationFrame() const { return animationFrame_; }

public slots:
    void cancelSelected();

signals:
    void statusMessage(QString text);

private:
    void updateButtons();
    void showMenu(const QPoint& pos);

    studio::JobQueue& queue_;
    QueueModel* model_;
    QListView* view_;
    QPushButton* pause_;
    QPushButton* cancel_;
    QLabel* summary_;
    QTimer* animation_;
    int animationFrame_ = 0;
};

// "1 min 05 s", "12 s", "0.4 s": durations as the queue shows them.
QString durationText(double seconds);

}  // namespace kinora::ui
