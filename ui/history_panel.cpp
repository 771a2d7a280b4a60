#include "ui/history_panel.h"

#include "studio/history_db.h"
#include "studio/job_queue.h"
#include "studio/trash.h"
#include "ui/history_delegate.h"
#include "ui/history_model.h"

#include <QAction>
#include <QApplication>
#include <QBoxLayout>
#include <QClipboard>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPushButton>
#include <QTimer>
#include <QToolButton>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>

namespace kinora::ui {
namespace {

struct FolderToDelete {
    qint64 id = 0;
    QString folder;  // absolute; empty for jobs that never wrote one
};

// Runs on a worker thread with its own connection (the GUI thread's belongs to the queue, which may
// already be gone when the window closes). Files first, then the row: a folder that cannot be moved
// keeps its entry, so nothing is ever left on disk without a way to find it.
QVector<DeletionOutcome> deleteJobFolders(const QString& dataDir, const QVector<FolderToDelete>& jobs) {
    QVector<DeletionOutcome> out;
    std::unique_ptr<studio::HistoryDb> db;
    QString dbError;
    try {
        db = std::make_unique<studio::HistoryDb>(dataDir);
    } catch (const std::exception& e) {
        dbError = QString::fromStdString(e.what());
    }
    for (const auto& j : jobs) {
        DeletionOutcome o;
        o.id = j.id;
        if (!db) {
            o.error = dbError;
            out << o;
            continue;
        }
        try {
            if (!j.folder.isEmpty() && QFileInfo::exists(j.folder)) o.trashed = studio::trashOrRemove(j.folder).trashed;
            db->removeRow(j.id);
            o.removed = true;
        } catch (const std::exception& e) {
            o.error = QString::fromStdString(e.what());
        }
        out << o;
    }
    return out;
}

bool askWithMessageBox(QWidget* parent, const QString& title, const QString& question) {
    QMessageBox box(QMessageBox::Question, title, question, QMessageBox::NoButton, parent);
    QPushButton* del = box.addButton(HistoryPanel::tr("Delete"), QMessageBox::DestructiveRole);
    QPushButton* cancel = box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(cancel);
    box.exec();
    return box.clickedButton() == del;
}

QString shortPrompt(const QString& prompt) {
    const QString t = prompt.simplified();
    return t.size() > 60 ? t.left(59) + QChar(0x2026) : t;
}

}  // namespace

HistoryPanel::Confirmation HistoryPanel::defaultConfirmation() { return askWithMessageBox; }

HistoryPanel::HistoryPanel(studio::JobQueue& queue, QWidget* parent)
    : QWidget(parent), queue_(queue), dataDir_(queue.history().dataDir()), confirm_(askWithMessageBox) {
    qRegisterMetaType<kinora::ui::DeletionOutcome>();
    qRegisterMetaType<QVector<kinora::ui::DeletionOutcome>>();
    model_ = new HistoryModel(queue_, this);
    delegate_ = new HistoryDelegate(this);

    search_ = new QLineEdit(this);
    search_->setObjectName(QStringLiteral("historySearch"));
    search_->setClearButtonEnabled(true);
    search_->setPlaceholderText(tr("Search prompts and tags"));
    search_->setToolTip(tr("Shows the jobs whose prompt, negative prompt or tags contain every word you type"));
    searchTimer_ = new QTimer(this);
    searchTimer_->setSingleShot(true);
    searchTimer_->setInterval(kSearchDebounceMs);
    connect(search_, &QLineEdit::textChanged, searchTimer_, qOverload<>(&QTimer::start));
    connect(searchTimer_, &QTimer::timeout, this, [this] { model_->setSearchText(search_->text()); });

    favourites_ = new QToolButton(this);
    favourites_->setCheckable(true);
    favourites_->setText(tr("★ Favourites"));
    favourites_->setToolTip(tr("Show only favourites"));
    connect(favourites_, &QToolButton::toggled, model_, &HistoryModel::setFavouritesOnly);

    modelFilter_ = new QComboBox(this);
    modelFilter_->setToolTip(tr("Show the jobs of one model"));
    modelFilter_->addItem(tr("All models"), QString());
    connect(modelFilter_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int i) { model_->setModelFilter(modelFilter_->itemData(i).toString()); });
    connect(model_, &HistoryModel::modelNamesChanged, this, &HistoryPanel::updateModelFilterChoices);
    updateModelFilterChoices();

    stateFilter_ = new QComboBox(this);
    stateFilter_->setToolTip(tr("Show jobs by how they ended"));
    stateFilter_->addItem(tr("All"), int(HistoryModel::StateFilter::All));
    stateFilter_->addItem(tr("Done"), int(HistoryModel::StateFilter::Done));
    stateFilter_->addItem(tr("Failed"), int(HistoryModel::StateFilter::Failed));
    stateFilter_->addItem(tr("Cancelled"), int(HistoryModel::StateFilter::Cancelled));
    connect(stateFilter_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        model_->setStateFilter(HistoryModel::StateFilter(stateFilter_->itemData(i).toInt()));
    });

    sort_ = new QComboBox(this);
    sort_->setToolTip(tr("Order of the list (search results too)"));
    sort_->addItem(tr("Newest first"), int(HistoryModel::Sort::Newest));
    sort_->addItem(tr("Oldest first"), int(HistoryModel::Sort::Oldest));
    sort_->addItem(tr("Prompt A–Z"), int(HistoryModel::Sort::PromptAZ));
    connect(sort_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int i) { model_->setSort(HistoryModel::Sort(sort_->itemData(i).toInt())); });

    view_ = new QListView(this);
    view_->setObjectName(QStringLiteral("historyView"));
    view_->setViewMode(QListView::IconMode);
    view_->setResizeMode(QListView::Adjust);
    view_->setMovement(QListView::Static);
    view_->setWrapping(true);
    view_->setUniformItemSizes(true);
    view_->setSpacing(4);
    view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view_->setItemDelegate(delegate_);
    view_->setModel(model_);
    view_->setContextMenuPolicy(Qt::CustomContextMenu);
    view_->setMouseTracking(true);
    view_->viewport()->installEventFilter(this);
    connect(view_, &QListView::customContextMenuRequested, this, &HistoryPanel::showContextMenu);
    connect(view_, &QListView::doubleClicked, this,
            [this](const QModelIndex& i) { openJob(i.data(HistoryModel::IdRole).toLongLong()); });
    connect(delegate_, &HistoryDelegate::repaintRequested, this,
            [this](const QModelIndex& i) { view_->viewport()->update(view_->visualRect(i)); });

    // Keyboard equivalents of the menu, on the list only (Return in the search box stays the box's).
    auto* openAction = new QAction(tr("Open"), view_);
    openAction->setShortcuts({QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)});
    openAction->setShortcutContext(Qt::WidgetShortcut);
    connect(openAction, &QAction::triggered, this, [this] {
        const auto ids = selectedIds();
        if (!ids.isEmpty()) openJob(ids.front());
    });
    auto* deleteAction = new QAction(tr("Delete"), view_);
    deleteAction->setShortcut(QKeySequence::Delete);
    deleteAction->setShortcutContext(Qt::WidgetShortcut);
    connect(deleteAction, &QAction::triggered, this, [this] { deleteJobs(selectedIds()); });
    view_->addActions({openAction, deleteAction});

    empty_ = new QLabel(this);
    empty_->setAlignment(Qt::AlignCenter);
    empty_->setWordWrap(true);
    connect(model_, &HistoryModel::refreshed, this, &HistoryPanel::updateEmptyText);

    undoBar_ = new QWidget(this);
    undoText_ = new QLabel(undoBar_);
    undoText_->setWordWrap(true);
    undoButton_ = new QPushButton(tr("Undo"), undoBar_);
    connect(undoButton_, &QPushButton::clicked, this, &HistoryPanel::undoDelete);
    auto* undoLayout = new QHBoxLayout(undoBar_);
    undoLayout->setContentsMargins(4, 2, 4, 2);
    undoLayout->addWidget(undoText_, 1);
    undoLayout->addWidget(undoButton_);
    undoAction_ = new QAction(tr("Undo Delete"), this);
    undoAction_->setShortcut(QKeySequence::Undo);
    undoAction_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(undoAction_, &QAction::triggered, this, &HistoryPanel::undoDelete);
    addAction(undoAction_);

    auto* filters = new QHBoxLayout;
    filters->addWidget(favourites_);
    filters->addWidget(modelFilter_, 1);
    filters->addWidget(stateFilter_);
    filters->addWidget(sort_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(search_);
    layout->addLayout(filters);
    layout->addWidget(view_, 1);
    layout->addWidget(empty_);
    layout->addWidget(undoBar_);

    connect(&commit_, &QFutureWatcher<QVector<DeletionOutcome>>::finished, this, &HistoryPanel::commitFinished);
    updateUndoBar();
    updateEmptyText();
}

HistoryPanel::~HistoryPanel() {
    // The window is closing: what the user deleted goes now, and the files must be handled before
    // the process ends, so this waits (the queue is not used: it may be destroyed already).
    if (!pending_.isEmpty()) commitPendingDeletions();
    commit_.waitForFinished();
}

std::optional<studio::Job> HistoryPanel::job(qint64 id) const {
    if (auto j = model_->jobById(id)) return j;
    return queue_.history().find(id);
}

QVector<qint64> HistoryPanel::selectedIds() const {
    QVector<qint64> ids;
    auto rows = view_->selectionModel()->selectedIndexes();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    for (const auto& i : rows) ids << i.data(HistoryModel::IdRole).toLongLong();
    if (ids.isEmpty() && view_->currentIndex().isValid()) ids << view_->currentIndex().data(HistoryModel::IdRole).toLongLong();
    return ids;
}

void HistoryPanel::selectJob(qint64 id) {
    const int row = model_->rowOfId(id);
    if (row < 0) return;
    const QModelIndex i = model_->index(row);
    view_->setCurrentIndex(i);
    view_->scrollTo(i);
}

QMenu* HistoryPanel::buildContextMenu(qint64 id, QWidget* parent) {
    auto* menu = new QMenu(parent);
    const auto j = job(id);
    if (!j) return menu;
    const bool done = j->state == studio::JobState::Done && !j->clip_path.isEmpty();
    auto add = [&](const QString& text, const char* name, bool enabled, auto slot) {
        QAction* a = menu->addAction(text);
        a->setObjectName(QString::fromLatin1(name));
        a->setEnabled(enabled);
        connect(a, &QAction::triggered, this, [this, id, slot] { (this->*slot)(id); });
        return a;
    };
    add(tr("Open"), "open", done, &HistoryPanel::openJob);
    menu->addSeparator();
    add(tr("Re-run"), "rerun", true, &HistoryPanel::rerunJob);
    add(tr("Reuse Settings"), "reuse", true, &HistoryPanel::reuseJob);
    add(tr("Variations (%1)").arg(kVariationCount), "variations", true, &HistoryPanel::makeVariations);
    menu->addSeparator();
    QAction* fav = add(tr("Favourite"), "favourite", true, &HistoryPanel::toggleFavourite);
    fav->setCheckable(true);
    fav->setChecked(j->favourite);
    add(tr("Copy Prompt"), "copyPrompt", true, &HistoryPanel::copyPrompt);
    add(tr("Export…"), "export", done, &HistoryPanel::exportJob);
    add(tr("Show in Folder"), "showInFolder", !j->output_dir.isEmpty(), &HistoryPanel::showInFolder);
    menu->addSeparator();
    QAction* del = menu->addAction(tr("Delete"));
    del->setObjectName(QStringLiteral("delete"));
    // A selection of several items deletes them all; otherwise just this one.
    connect(del, &QAction::triggered, this, [this, id] {
        auto ids = selectedIds();
        deleteJobs(ids.contains(id) ? ids : QVector<qint64>{id});
    });
    return menu;
}

void HistoryPanel::showContextMenu(const QPoint& pos) {
    const QModelIndex index = view_->indexAt(pos);
    if (!index.isValid()) return;
    if (!view_->selectionModel()->isSelected(index)) view_->setCurrentIndex(index);
    std::unique_ptr<QMenu> menu(buildContextMenu(index.data(HistoryModel::IdRole).toLongLong(), this));
    menu->exec(view_->viewport()->mapToGlobal(pos));
}

void HistoryPanel::openJob(qint64 id) {
    const auto j = job(id);
    if (!j) return;
    if (j->state != studio::JobState::Done || j->clip_path.isEmpty()) {
        emit statusMessage(tr("Job %1 has no clip to open: it %2.")
                               .arg(id)
                               .arg(j->state == studio::JobState::Cancelled ? tr("was cancelled") : tr("did not finish")));
        return;
    }
    const QString clip = studio::absolutePath(queue_.history(), j->clip_path);
    if (!QFileInfo::exists(clip)) {
        emit statusMessage(tr("The clip of job %1 is missing: %2").arg(id).arg(QDir::toNativeSeparators(clip)));
        return;
    }
    emit openRequested(id, clip);
}

void HistoryPanel::rerunJob(qint64 id) {
    const auto j = job(id);
    if (!j) return;
    // The worker would fail on it anyway; saying so now names the fix.
    if (!QFileInfo(j->request.model_path).isDir()) {
        emit statusMessage(tr("Cannot re-run job %1: its model folder %2 no longer exists.")
                               .arg(id)
                               .arg(QDir::toNativeSeparators(j->request.model_path)));
        return;
    }
    try {
        const auto fresh = queue_.rerun(id);
        emit statusMessage(tr("Re-run of job %1 queued as job %2.").arg(id).arg(fresh));
    } catch (const std::exception& e) {
        emit statusMessage(tr("Cannot re-run job %1: %2").arg(id).arg(QString::fromStdString(e.what())));
    }
}

void HistoryPanel::reuseJob(qint64 id) {
    if (const auto j = job(id)) emit reuseRequested(j->request);
}

void HistoryPanel::makeVariations(qint64 id) {
    const auto j = job(id);
    if (!j) return;
    if (!QFileInfo(j->request.model_path).isDir()) {
        emit statusMessage(tr("Cannot make variations of job %1: its model folder %2 no longer exists.")
                               .arg(id)
                               .arg(QDir::toNativeSeparators(j->request.model_path)));
        return;
    }
    try {
        const auto ids = queue_.variations(id, kVariationCount);
        emit statusMessage(tr("%n variation(s) of job %1 queued.", nullptr, int(ids.size())).arg(id));
    } catch (const std::exception& e) {
        emit statusMessage(tr("Cannot make variations of job %1: %2").arg(id).arg(QString::fromStdString(e.what())));
    }
}

void HistoryPanel::toggleFavourite(qint64 id) {
    const auto j = job(id);
    if (!j) return;
    try {
        queue_.history().setFavourite(id, !j->favourite);
    } catch (const std::exception& e) {
        emit statusMessage(tr("Cannot change job %1: %2").arg(id).arg(QString::fromStdString(e.what())));
        return;
    }
    model_->refresh();
}

void HistoryPanel::copyPrompt(qint64 id) {
    const auto j = job(id);
    if (!j) return;
    QApplication::clipboard()->setText(j->request.prompt);
    emit statusMessage(tr("Prompt copied."));
}

void HistoryPanel::exportJob(qint64 id) {
    const auto j = job(id);
    if (!j) return;
    if (j->state != studio::JobState::Done || j->clip_path.isEmpty()) {
        emit statusMessage(tr("Job %1 has no clip to export.").arg(id));
        return;
    }
    const QString clip = studio::absolutePath(queue_.history(), j->clip_path);
    if (!QFileInfo::exists(clip)) {
        emit statusMessage(tr("The clip of job %1 is missing: %2").arg(id).arg(QDir::toNativeSeparators(clip)));
        return;
    }
    // The history clip carries the mark when it was generated with it (JobRequest::label).
    emit exportRequested(id, clip, j->request.label);
}

void HistoryPanel::showInFolder(qint64 id) {
    const auto j = job(id);
    if (!j || j->output_dir.isEmpty()) return;
    const QString folder = studio::absolutePath(queue_.history(), j->output_dir);
    if (!QFileInfo(folder).isDir()) {
        emit statusMessage(tr("The folder of job %1 is missing: %2").arg(id).arg(QDir::toNativeSeparators(folder)));
        return;
    }
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(folder))) {
        emit statusMessage(tr("No file manager could open %1.").arg(QDir::toNativeSeparators(folder)));
    }
}

void HistoryPanel::deleteJobs(const QVector<qint64>& requested) {
    QVector<qint64> ids;
    QStringList folders;
    QString firstPrompt;
    for (const qint64 id : requested) {
        const auto j = job(id);
        if (!j || pendingDeletions().contains(id) || committingIds_.contains(id)) continue;
        if (j->state == studio::JobState::Queued || j->state == studio::JobState::Running) continue;  // the queue's
        if (firstPrompt.isEmpty()) firstPrompt = j->request.prompt;
        ids << id;
        folders << (j->output_dir.isEmpty() ? QString() : studio::absolutePath(queue_.history(), j->output_dir));
    }
    if (ids.isEmpty()) return;
    const QString question =
        ids.size() == 1
            ? tr("Delete “%1” and its clip?").arg(shortPrompt(firstPrompt))
            : tr("Delete %n jobs and their clips?", nullptr, int(ids.size()));
    const QString detail = tr("You can undo this until Kinora closes; then the files go to the trash.");
    if (!confirm_(this, tr("Delete"), question + QStringLiteral("\n\n") + detail)) return;
    pending_.push_back({ids, folders, firstPrompt});
    model_->setHiddenIds(pendingDeletions() | committingIds_);
    updateUndoBar();
    emit statusMessage(ids.size() == 1 ? tr("Deleted job %1.").arg(ids.front())
                                       : tr("Deleted %n jobs.", nullptr, int(ids.size())));
}

void HistoryPanel::undoDelete() {
    if (pending_.isEmpty()) return;
    const Batch batch = pending_.takeLast();
    model_->setHiddenIds(pendingDeletions() | committingIds_);
    updateUndoBar();
    if (!batch.ids.isEmpty()) selectJob(batch.ids.front());
    emit statusMessage(tr("Restored %n job(s).", nullptr, int(batch.ids.size())));
}

QSet<qint64> HistoryPanel::pendingDeletions() const {
    QSet<qint64> ids;
    for (const auto& b : pending_) {
        for (const qint64 id : b.ids) ids.insert(id);
    }
    return ids;
}

void HistoryPanel::commitPendingDeletions() {
    if (pending_.isEmpty()) return;
    // One commit at a time; a second one waits for the first (each is short: renames into the trash).
    commit_.waitForFinished();
    QVector<FolderToDelete> jobs;
    for (const auto& b : pending_) {
        for (int i = 0; i < b.ids.size(); ++i) {
            jobs.push_back({b.ids[i], b.folders[i]});
            committingIds_.insert(b.ids[i]);
        }
    }
    pending_.clear();
    updateUndoBar();
    commit_.setFuture(QtConcurrent::run(deleteJobFolders, dataDir_, jobs));
}

void HistoryPanel::commitFinished() {
    const auto outcomes = commit_.result();
    int removed = 0, trashed = 0;
    QStringList problems;
    for (const auto& o : outcomes) {
        committingIds_.remove(o.id);
        if (o.removed) {
            ++removed;
            if (o.trashed) ++trashed;
        } else {
            problems << tr("job %1: %2").arg(o.id).arg(o.error);
        }
    }
    // Jobs that could not be deleted come back into view with their files.
    model_->setHiddenIds(pendingDeletions() | committingIds_);
    model_->refresh();
    if (removed > 0) {
        emit statusMessage(trashed == removed ? tr("%n job(s) deleted; their files are in the trash.", nullptr, removed)
                                              : tr("%n job(s) deleted with their files.", nullptr, removed));
    }
    if (!problems.isEmpty()) emit statusMessage(tr("Could not delete %1").arg(problems.join(QStringLiteral("; "))));
    emit deletionsCommitted(outcomes);
}

void HistoryPanel::updateUndoBar() {
    undoBar_->setVisible(!pending_.isEmpty());
    undoAction_->setEnabled(!pending_.isEmpty());
    if (pending_.isEmpty()) return;
    const Batch& last = pending_.back();
    undoText_->setText(last.ids.size() == 1 ? tr("Deleted “%1”.").arg(shortPrompt(last.firstPrompt))
                                            : tr("Deleted %n jobs.", nullptr, int(last.ids.size())));
    undoButton_->setToolTip(tr("Bring the deleted jobs back; their files are kept until Kinora closes"));
}

void HistoryPanel::updateEmptyText() {
    const bool empty = model_->rowCount() == 0;
    empty_->setVisible(empty);
    if (!empty) return;
    if (!model_->searchText().isEmpty()) {
        empty_->setText(tr("Nothing matches “%1”.").arg(model_->searchText()));
    } else if (favourites_->isChecked() || modelFilter_->currentIndex() > 0 || stateFilter_->currentIndex() > 0) {
        empty_->setText(tr("No job passes the filters."));
    } else {
        empty_->setText(tr("No generations yet. Finished clips appear here."));
    }
}

void HistoryPanel::updateModelFilterChoices() {
    const QString current = modelFilter_->currentData().toString();
    const QSignalBlocker block(modelFilter_);
    while (modelFilter_->count() > 1) modelFilter_->removeItem(1);
    for (const auto& name : model_->modelNames()) modelFilter_->addItem(name, name);
    const int i = modelFilter_->findData(current);
    modelFilter_->setCurrentIndex(i < 0 ? 0 : i);
}

bool HistoryPanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == view_->viewport()) {
        if (event->type() == QEvent::MouseMove) {
            delegate_->setHoverIndex(view_->indexAt(static_cast<QMouseEvent*>(event)->position().toPoint()));
        } else if (event->type() == QEvent::Leave) {
            delegate_->setHoverIndex({});
        }
    }
    return QWidget::eventFilter(watched, event);
}

}  // namespace kinora::ui
