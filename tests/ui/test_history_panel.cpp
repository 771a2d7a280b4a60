// The History dock on a real job queue: clips generated with the reference model, a failed job
// recorded beside them, and the widgets driven with key, mouse and input-method events: search as
// you type (English and Chinese), filters and sorts, the hover animation, open, reuse, re-run, delete
// with undo, the deletions committed to the trash, and jobs added by another connection.
#include "studio/history_db.h"
#include "studio/job_queue.h"
#include "ui/history_delegate.h"
#include "ui/history_model.h"
#include "ui/history_panel.h"
#include "../studio/studio_test_util.h"
#include "ui_test_util.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QInputMethodEvent>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <memory>

using namespace kinora;
using namespace kinora::test;
using ui::HistoryModel;
using ui::HistoryPanel;

namespace {

const QString kRed = QStringLiteral("a red circle moving left on a black background");
const QString kBlue = QStringLiteral("a blue square falling in the snow");
const QString kChinese = QStringLiteral("一个红色的圆形在雪中下落");
const QString kFailed = QStringLiteral("a green star spinning at sunset");

QStringList prompts(const HistoryModel& m) {
    QStringList out;
    for (int i = 0; i < m.rowCount(); ++i) out << m.index(i).data(HistoryModel::PromptRole).toString();
    return out;
}

// Text as an input method commits it: how Chinese reaches a line edit (QTest::keyClicks only types
// Latin-1 characters).
void commitText(QWidget* w, const QString& text) {
    QInputMethodEvent e;
    e.setCommitString(text);
    QApplication::sendEvent(w, &e);
}

// Presses the destructive button of the next modal message box as soon as it is up.
void acceptNextMessageBox(bool* seen) {
    auto* timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [timer, seen] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box) return;
        for (auto* b : box->buttons()) {
            if (box->buttonRole(b) == QMessageBox::DestructiveRole) {
                *seen = true;
                timer->stop();
                timer->deleteLater();
                b->click();
                return;
            }
        }
    });
    timer->start();
}

QAction* menuAction(QMenu* menu, const char* name) {
    auto* a = menu->findChild<QAction*>(QString::fromLatin1(name));
    if (!a) qWarning("no action %s in the menu", name);
    return a;
}

}  // namespace

class TestHistoryPanel : public QObject {
    Q_OBJECT
    QTemporaryDir dir_, xdg_;
    std::unique_ptr<studio::JobQueue> queue_;
    qint64 red_ = 0, blue_ = 0, chinese_ = 0, failed_ = 0;

    QString dataDir() const { return dir_.path() + "/data"; }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid() && xdg_.isValid());
        // A desktop trash of our own: committed deletions go there, never into the user's.
        qputenv("XDG_DATA_HOME", xdg_.path().toUtf8());
        QVERIFY(QDir().mkpath(xdg_.path() + "/Trash/files") && QDir().mkpath(xdg_.path() + "/Trash/info"));
        QVERIFY(QDir().mkpath(dataDir()));
        queue_ = std::make_unique<studio::JobQueue>(queueOptions(dataDir()));
        QSignalSpy finished(queue_.get(), &studio::JobQueue::jobFinished);
        red_ = queue_->enqueue(textRequest(kRed));
        blue_ = queue_->enqueue(textRequest(kBlue));
        chinese_ = queue_->enqueue(textRequest(kChinese));
        for (qint64 id : {red_, blue_, chinese_}) {
            QCOMPARE(waitFinished(finished, id), std::optional<studio::JobState>(studio::JobState::Done));
        }
        // A job that failed, as the history records one: no files, an error.
        studio::Job f;
        f.request = textRequest(kFailed);
        f.state = studio::JobState::Failed;
        f.created_ms = studio::nowMs();
        f.finished_ms = f.created_ms;
        f.error = QStringLiteral("the model ran out of memory");
        queue_->history().addRecords({f});
        failed_ = queue_->history().page(std::nullopt, 1).front().id;
        QCOMPARE(queue_->history().get(failed_).state, studio::JobState::Failed);
    }

    void cleanupTestCase() { queue_.reset(); }

    void listsFinishedJobsWithTheirFiles() {
        HistoryPanel panel(*queue_);
        const HistoryModel& m = *panel.model();
        QCOMPARE(m.rowCount(), 4);
        QCOMPARE(prompts(m), (QStringList{kFailed, kChinese, kBlue, kRed}));  // newest first
        const QModelIndex red = m.index(m.rowOfId(red_));
        QVERIFY(QFileInfo(red.data(HistoryModel::ThumbsPathRole).toString()).isFile());
        QVERIFY(red.data(HistoryModel::ClipPathRole).toString().endsWith("/clip.mp4"));
        QVERIFY(QFileInfo(red.data(HistoryModel::ClipPathRole).toString()).isAbsolute());
        QCOMPARE(red.data(HistoryModel::ModelRole).toString(), QStringLiteral("tiny-wan2.1-t2v"));
        QVERIFY(!red.data(HistoryModel::DateTextRole).toString().isEmpty());
        QCOMPARE(red.data(HistoryModel::StateTextRole).toString(), QString());
        const QModelIndex failed = m.index(m.rowOfId(failed_));
        QCOMPARE(failed.data(HistoryModel::StateTextRole).toString(), QStringLiteral("Failed"));
        QVERIFY(failed.data(HistoryModel::ThumbsPathRole).toString().isEmpty());
        // The strip holds the clip's 5 frames of 64x64.
        const QPixmap strip = ui::HistoryDelegate::strip(red.data(HistoryModel::ThumbsPathRole).toString());
        QCOMPARE(strip.size(), QSize(5 * 64, 64));
        QCOMPARE(red.data(HistoryModel::ThumbCountRole).toInt(), 5);
    }

    void hoverAnimatesTheThumbnail() {
        HistoryPanel panel(*queue_);
        panel.resize(600, 500);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const QModelIndex red = panel.model()->index(panel.model()->rowOfId(red_));
        QCOMPARE(panel.delegate()->frameShown(red), 2);  // the middle of five
        const QPoint centre = panel.view()->visualRect(red).center();
        QTest::mouseMove(panel.view()->viewport(), centre);
        QTRY_COMPARE(panel.delegate()->hoverIndex(), QModelIndex(red));
        QSet<int> seen;
        QElapsedTimer t;
        t.start();
        while (seen.size() < 5 && t.elapsed() < 5000) {
            seen.insert(panel.delegate()->frameShown(red));
            QTest::qWait(20);
        }
        QCOMPARE(seen.size(), 5);  // every frame of the strip in turn
        // Leaving the list stops it and goes back to the middle frame.
        QEvent leave(QEvent::Leave);
        QApplication::sendEvent(panel.view()->viewport(), &leave);
        QCOMPARE(panel.delegate()->frameShown(red), 2);
        // Painting an item with and without a picture does not fail (offscreen grab).
        QVERIFY(!panel.view()->viewport()->grab().isNull());
    }

    void searchNarrowsTheListAsYouType() {
        HistoryPanel panel(*queue_);
        panel.show();
        QSignalSpy refreshed(panel.model(), &HistoryModel::refreshed);
        QTest::keyClicks(panel.searchBox(), "squ");
        // One query for the burst of keys, after the debounce.
        QTRY_COMPARE(prompts(*panel.model()), QStringList{kBlue});
        QCOMPARE(refreshed.size(), 1);
        QTest::keyClicks(panel.searchBox(), "are snow");
        QTRY_COMPARE(prompts(*panel.model()), QStringList{kBlue});
        panel.searchBox()->clear();
        QTRY_COMPARE(panel.model()->rowCount(), 4);
        QTest::keyClicks(panel.searchBox(), "circle");
        QTRY_COMPARE(prompts(*panel.model()), QStringList{kRed});
        panel.searchBox()->clear();
        QTRY_COMPARE(panel.model()->rowCount(), 4);
        // Chinese through the input method: two characters (LIKE), then three (the trigram index).
        commitText(panel.searchBox(), QStringLiteral("红色"));
        QTRY_COMPARE(prompts(*panel.model()), QStringList{kChinese});
        commitText(panel.searchBox(), QStringLiteral("的"));
        QCOMPARE(panel.searchBox()->text(), QStringLiteral("红色的"));
        QTRY_COMPARE(prompts(*panel.model()), QStringList{kChinese});
        panel.searchBox()->clear();
        QTest::keyClicks(panel.searchBox(), "purple elephant");
        QTRY_COMPARE(panel.model()->rowCount(), 0);
        panel.searchBox()->clear();
        QTRY_COMPARE(panel.model()->rowCount(), 4);
    }

    void favouritesFilter() {
        HistoryPanel panel(*queue_);
        panel.show();
        std::unique_ptr<QMenu> menu(panel.buildContextMenu(blue_, &panel));
        QAction* fav = menuAction(menu.get(), "favourite");
        QVERIFY(fav && fav->isCheckable() && !fav->isChecked());
        fav->trigger();
        QVERIFY(queue_->history().get(blue_).favourite);
        QCOMPARE(panel.model()->index(panel.model()->rowOfId(blue_)).data(HistoryModel::FavouriteRole).toBool(), true);
        QTest::mouseClick(panel.favouritesButton(), Qt::LeftButton);
        QVERIFY(panel.favouritesButton()->isChecked());
        QCOMPARE(prompts(*panel.model()), QStringList{kBlue});
        QTest::mouseClick(panel.favouritesButton(), Qt::LeftButton);
        QCOMPARE(panel.model()->rowCount(), 4);
        panel.toggleFavourite(blue_);
        QVERIFY(!queue_->history().get(blue_).favourite);
    }

    void stateAndModelFiltersAndSorts() {
        HistoryPanel panel(*queue_);
        auto* state = panel.stateFilterBox();
        state->setCurrentIndex(state->findText("Failed"));
        QCOMPARE(prompts(*panel.model()), QStringList{kFailed});
        state->setCurrentIndex(state->findText("Cancelled"));
        QCOMPARE(panel.model()->rowCount(), 0);
        state->setCurrentIndex(state->findText("Done"));
        QCOMPARE(panel.model()->rowCount(), 3);
        state->setCurrentIndex(0);
        auto* models = panel.modelFilterBox();
        QCOMPARE(models->findText("tiny-wan2.1-t2v"), 1);
        models->setCurrentIndex(1);
        QCOMPARE(panel.model()->rowCount(), 4);
        models->setCurrentIndex(0);

        // A sort keeps the selected job selected.
        panel.selectJob(blue_);
        auto* sort = panel.sortBox();
        sort->setCurrentIndex(sort->findData(int(HistoryModel::Sort::Oldest)));
        QCOMPARE(prompts(*panel.model()), (QStringList{kRed, kBlue, kChinese, kFailed}));
        QCOMPARE(panel.view()->currentIndex().data(HistoryModel::IdRole).toLongLong(), blue_);
        sort->setCurrentIndex(sort->findData(int(HistoryModel::Sort::PromptAZ)));
        QCOMPARE(prompts(*panel.model()).mid(0, 3), (QStringList{kBlue, kFailed, kRed}));
        QCOMPARE(panel.view()->currentIndex().data(HistoryModel::IdRole).toLongLong(), blue_);
        // Search results follow the sort too.
        QTest::keyClicks(panel.searchBox(), "in the");
        QTRY_COMPARE(prompts(*panel.model()), (QStringList{kBlue}));
    }

    void openReuseCopyAndExport() {
        HistoryPanel panel(*queue_);
        panel.resize(600, 500);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy open(&panel, &HistoryPanel::openRequested), reuse(&panel, &HistoryPanel::reuseRequested),
            exportSpy(&panel, &HistoryPanel::exportRequested), status(&panel, &HistoryPanel::statusMessage);
        const QModelIndex red = panel.model()->index(panel.model()->rowOfId(red_));
        // QTest's double click sends no press first for widgets; a real one comes after a click.
        const QPoint at = panel.view()->visualRect(red).center();
        QTest::mouseClick(panel.view()->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(panel.view()->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(open.size(), 1);
        QCOMPARE(open[0][0].toLongLong(), red_);
        QCOMPARE(open[0][1].toString(), studio::absolutePath(queue_->history(), queue_->history().get(red_).clip_path));
        QVERIFY(QFile::exists(open[0][1].toString()));

        std::unique_ptr<QMenu> menu(panel.buildContextMenu(red_, &panel));
        menuAction(menu.get(), "reuse")->trigger();
        QCOMPARE(reuse.size(), 1);
        const auto request = reuse[0][0].value<studio::JobRequest>();
        const auto expected = queue_->history().get(red_).request;
        QCOMPARE(request.prompt, kRed);
        QCOMPARE(request.seed, expected.seed);
        QCOMPARE(request.steps, expected.steps);
        QCOMPARE(request.model_path, expected.model_path);
        QCOMPARE(request.width, expected.width);

        menuAction(menu.get(), "copyPrompt")->trigger();
        QCOMPARE(QApplication::clipboard()->text(), kRed);

        menuAction(menu.get(), "export")->trigger();
        QCOMPARE(exportSpy.size(), 1);
        QCOMPARE(exportSpy[0][0].toLongLong(), red_);
        QCOMPARE(exportSpy[0][1].toString(), open[0][1].toString());
        QCOMPARE(exportSpy[0][2].toBool(), true);  // generated with the mark

        // A failed job has nothing to open or export; asking says so instead of failing silently.
        std::unique_ptr<QMenu> failedMenu(panel.buildContextMenu(failed_, &panel));
        QVERIFY(!menuAction(failedMenu.get(), "open")->isEnabled());
        QVERIFY(!menuAction(failedMenu.get(), "export")->isEnabled());
        QVERIFY(!menuAction(failedMenu.get(), "showInFolder")->isEnabled());
        panel.openJob(failed_);
        QCOMPARE(open.size(), 1);
        QVERIFY(status.last()[0].toString().contains("no clip"));
    }

    // A long history loads a page at a time as the view asks for more; filters page through it too,
    // and the other sorts read it whole.
    void longHistoriesLoadInPages() {
        QTemporaryDir other;
        studio::JobQueue queue(queueOptions(other.path()));
        QVector<studio::Job> jobs;
        for (int i = 0; i < 300; ++i) {
            studio::Job j;
            j.request = textRequest(QStringLiteral("shape number %1").arg(i));
            j.state = studio::JobState::Done;
            j.created_ms = 1'700'000'000'000 + i;
            j.favourite = i % 50 == 0;
            jobs << j;
        }
        queue.history().addRecords(jobs);
        HistoryPanel panel(queue);
        HistoryModel& m = *panel.model();
        QCOMPARE(m.rowCount(), HistoryModel::kPageSize);
        QCOMPARE(m.index(0).data(HistoryModel::PromptRole).toString(), QStringLiteral("shape number 299"));
        QVERIFY(m.canFetchMore({}));
        m.fetchMore({});
        QCOMPARE(m.rowCount(), 2 * HistoryModel::kPageSize);
        m.fetchMore({});
        QCOMPARE(m.rowCount(), 300);
        QVERIFY(!m.canFetchMore({}));
        QCOMPARE(m.index(299).data(HistoryModel::PromptRole).toString(), QStringLiteral("shape number 0"));
        // A refresh keeps what was loaded.
        m.refresh();
        QCOMPARE(m.rowCount(), 300);

        QTest::mouseClick(panel.favouritesButton(), Qt::LeftButton);
        QCOMPARE(m.rowCount(), 6);
        QVERIFY(!m.canFetchMore({}));
        QTest::mouseClick(panel.favouritesButton(), Qt::LeftButton);

        panel.sortBox()->setCurrentIndex(panel.sortBox()->findData(int(HistoryModel::Sort::Oldest)));
        QCOMPARE(m.rowCount(), 300);
        QVERIFY(!m.canFetchMore({}));
        QCOMPARE(m.index(0).data(HistoryModel::PromptRole).toString(), QStringLiteral("shape number 0"));
        // A-Z is text order.
        panel.sortBox()->setCurrentIndex(panel.sortBox()->findData(int(HistoryModel::Sort::PromptAZ)));
        QCOMPARE(m.index(0).data(HistoryModel::PromptRole).toString(), QStringLiteral("shape number 0"));
        QCOMPARE(m.index(2).data(HistoryModel::PromptRole).toString(), QStringLiteral("shape number 10"));
        QCOMPARE(m.index(299).data(HistoryModel::PromptRole).toString(), QStringLiteral("shape number 99"));

        panel.sortBox()->setCurrentIndex(panel.sortBox()->findData(int(HistoryModel::Sort::Newest)));
        QTest::keyClicks(panel.searchBox(), "number 29");
        QTRY_COMPARE(m.rowCount(), 13);  // a two-character word matches anywhere: 29, 129, 229, 290-299
    }

    // Another connection (what `kinora generate` in a terminal is) adds a job: the DbWatcher sees it
    // and the list shows it, with the selection left where it was.
    void aJobFromAnotherProcessAppears() {
        HistoryPanel panel(*queue_);
        panel.selectJob(blue_);
        QCOMPARE(panel.model()->rowCount(), 4);
        {
            studio::HistoryDb other(dataDir());
            studio::Job j;
            j.request = textRequest(QStringLiteral("a cyan triangle growing on a night sky"));
            j.state = studio::JobState::Cancelled;
            j.created_ms = studio::nowMs();
            j.error = QStringLiteral("cancelled");
            other.addRecords({j});
        }
        QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), 5, 5000);
        QCOMPARE(panel.model()->index(0).data(HistoryModel::PromptRole).toString(),
                 QStringLiteral("a cyan triangle growing on a night sky"));
        QCOMPARE(panel.model()->index(0).data(HistoryModel::StateTextRole).toString(), QStringLiteral("Cancelled"));
        QCOMPARE(panel.view()->currentIndex().data(HistoryModel::IdRole).toLongLong(), blue_);
        QCOMPARE(panel.view()->selectionModel()->selectedIndexes().size(), 1);
    }

    // Re-run goes through the queue; the finished job appears at the top of the list.
    void rerunAddsAFinishedJob() {
        HistoryPanel panel(*queue_);
        QSignalSpy queued(queue_.get(), &studio::JobQueue::jobQueued), finished(queue_.get(), &studio::JobQueue::jobFinished);
        const int before = panel.model()->rowCount();
        std::unique_ptr<QMenu> menu(panel.buildContextMenu(red_, &panel));
        menuAction(menu.get(), "rerun")->trigger();
        QCOMPARE(queued.size(), 1);
        const qint64 fresh = queued[0][0].toLongLong();
        QCOMPARE(queue_->history().get(fresh).rerun_of, std::optional<int64_t>(red_));
        QCOMPARE(queue_->history().get(fresh).request.seed, queue_->history().get(red_).request.seed);
        QCOMPARE(waitFinished(finished, fresh), std::optional<studio::JobState>(studio::JobState::Done));
        QTRY_COMPARE(panel.model()->rowCount(), before + 1);
        QCOMPARE(panel.model()->index(0).data(HistoryModel::IdRole).toLongLong(), fresh);
    }

    void variationsQueueFourNewSeeds() {
        HistoryPanel panel(*queue_);
        QSignalSpy queued(queue_.get(), &studio::JobQueue::jobQueued), finished(queue_.get(), &studio::JobQueue::jobFinished);
        panel.makeVariations(blue_);
        QCOMPARE(queued.size(), HistoryPanel::kVariationCount);
        QSet<quint64> seeds;
        for (const auto& args : queued) seeds.insert(queue_->history().get(args[0].toLongLong()).request.seed);
        QCOMPARE(seeds.size(), HistoryPanel::kVariationCount);
        QVERIFY(!seeds.contains(queue_->history().get(blue_).request.seed));
        // Not run here: cancelled, so later tests see a quiet queue.
        for (const auto& args : queued) queue_->cancel(args[0].toLongLong());
        for (const auto& args : queued) QVERIFY(waitFinished(finished, args[0].toLongLong()).has_value());
    }

    void deleteAsksThenHidesAndUndoBringsItBack() {
        HistoryPanel panel(*queue_);
        panel.resize(600, 500);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const auto job = queue_->history().get(red_);
        const QString folder = studio::absolutePath(queue_->history(), job.output_dir);
        const QStringList files = filesUnder(folder);
        QCOMPARE(files.size(), 3);
        const int before = panel.model()->rowCount();

        // Cancelling the question changes nothing.
        panel.setConfirmation([](QWidget*, const QString&, const QString&) { return false; });
        panel.deleteJobs({red_});
        QCOMPARE(panel.model()->rowCount(), before);
        QVERIFY(!panel.undoButton()->isVisible());

        // The real message box, answered with its Delete button; the Delete key on the selected item.
        panel.setConfirmation(HistoryPanel::defaultConfirmation());
        bool answered = false;
        acceptNextMessageBox(&answered);
        panel.selectJob(red_);
        panel.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        panel.view()->setFocus();
        QTest::keyClick(panel.view(), Qt::Key_Delete);
        QVERIFY(answered);
        QCOMPARE(panel.model()->rowCount(), before - 1);
        QCOMPARE(panel.model()->rowOfId(red_), -1);
        QVERIFY(panel.pendingDeletions().contains(red_));
        QVERIFY(panel.undoButton()->isVisible());
        // Nothing touched yet: the row and every file are still there.
        QVERIFY(queue_->history().find(red_).has_value());
        QCOMPARE(filesUnder(folder), files);

        QTest::mouseClick(panel.undoButton(), Qt::LeftButton);
        QCOMPARE(panel.model()->rowCount(), before);
        QVERIFY(panel.model()->rowOfId(red_) >= 0);
        QVERIFY(panel.pendingDeletions().isEmpty());
        QVERIFY(!panel.undoButton()->isVisible());
        QCOMPARE(filesUnder(folder), files);
        QCOMPARE(queue_->history().get(red_).clip_path, job.clip_path);

        // Ctrl+Z undoes as well.
        panel.setConfirmation([](QWidget*, const QString&, const QString&) { return true; });
        panel.deleteJobs({red_});
        QCOMPARE(panel.model()->rowOfId(red_), -1);
        // The message box took the activation with it; shortcuts need the window active.
        panel.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        panel.view()->setFocus();
        QTest::keyClick(panel.view(), Qt::Key_Z, Qt::ControlModifier);
        QVERIFY(panel.model()->rowOfId(red_) >= 0);
        QCOMPARE(filesUnder(folder), files);
    }

    void committingMovesTheFilesToTheTrash() {
        HistoryPanel panel(*queue_);
        panel.setConfirmation([](QWidget*, const QString&, const QString&) { return true; });
        const auto job = queue_->history().get(blue_);
        const QString folder = studio::absolutePath(queue_->history(), job.output_dir);
        QVERIFY(QFileInfo(folder).isDir());
        panel.deleteJobs({blue_, failed_});
        QSignalSpy committed(&panel, &HistoryPanel::deletionsCommitted);
        panel.commitPendingDeletions();
        QVERIFY(committed.wait(10000));
        const auto outcomes = committed[0][0].value<QVector<ui::DeletionOutcome>>();
        QCOMPARE(outcomes.size(), 2);
        for (const auto& o : outcomes) QVERIFY2(o.removed, qPrintable(o.error));
        QVERIFY(!QFileInfo::exists(folder));
        const QString trashed = xdg_.path() + "/Trash/files/" + QFileInfo(folder).fileName();
        QVERIFY(QFile::exists(trashed + "/clip.mp4"));
        QVERIFY(QFile::exists(trashed + "/thumbs.png"));
        QVERIFY(!queue_->history().find(blue_).has_value());
        QVERIFY(!queue_->history().find(failed_).has_value());
        QCOMPARE(panel.model()->rowOfId(blue_), -1);
        QVERIFY(panel.pendingDeletions().isEmpty());
        panel.undoDelete();  // nothing left to undo
        QCOMPARE(panel.model()->rowOfId(blue_), -1);
    }

    // A window that closes without committing still does: the destructor commits and waits.
    void closingThePanelCommitsPendingDeletions() {
        const auto job = queue_->history().get(chinese_);
        const QString folder = studio::absolutePath(queue_->history(), job.output_dir);
        {
            HistoryPanel panel(*queue_);
            panel.setConfirmation([](QWidget*, const QString&, const QString&) { return true; });
            panel.deleteJobs({chinese_});
            QVERIFY(QFileInfo(folder).isDir());
        }
        QVERIFY(!QFileInfo::exists(folder));
        QVERIFY(QFile::exists(xdg_.path() + "/Trash/files/" + QFileInfo(folder).fileName() + "/clip.mp4"));
        QVERIFY(!queue_->history().find(chinese_).has_value());
    }
};

QTEST_MAIN(TestHistoryPanel)
#include "test_history_panel.moc"
