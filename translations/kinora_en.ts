<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>kinora::ui::ExportDialog</name>
    <message numerus="yes">
        <source>Both frames included, counted from 0; the clip has %n frame(s).</source>
        <translation>
            <numerusform>Both frames included, counted from 0; the clip has %n frame.</numerusform>
            <numerusform>Both frames included, counted from 0; the clip has %n frames.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n frame(s) of %1×%2 (%3) to %4.</source>
        <translation>
            <numerusform>Exported %n frame of %1×%2 (%3) to %4.</numerusform>
            <numerusform>Exported %n frames of %1×%2 (%3) to %4.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>kinora::ui::HistoryPanel</name>
    <message numerus="yes">
        <source>%n variation(s) of job %1 queued.</source>
        <translation>
            <numerusform>%n variation of job %1 queued.</numerusform>
            <numerusform>%n variations of job %1 queued.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete %n jobs and their clips?</source>
        <translation>
            <numerusform>Delete %n job and its clip?</numerusform>
            <numerusform>Delete %n jobs and their clips?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n jobs.</source>
        <translation>
            <numerusform>Deleted %n job.</numerusform>
            <numerusform>Deleted %n jobs.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Restored %n job(s).</source>
        <translation>
            <numerusform>Restored %n job.</numerusform>
            <numerusform>Restored %n jobs.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) deleted; their files are in the trash.</source>
        <translation>
            <numerusform>%n job deleted; its files are in the trash.</numerusform>
            <numerusform>%n jobs deleted; their files are in the trash.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) deleted with their files.</source>
        <translation>
            <numerusform>%n job deleted with its files.</numerusform>
            <numerusform>%n jobs deleted with their files.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>kinora::ui::QueuePanel</name>
    <message numerus="yes">
        <source>%n waiting</source>
        <translation>
            <numerusform>%n waiting</numerusform>
            <numerusform>%n waiting</numerusform>
        </translation>
    </message>
</context>
</TS>
