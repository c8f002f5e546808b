// SPDX-License-Identifier: GPL-3.0-or-later
#include "workspace/workspace_editor.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>

namespace vigil {

namespace {

// A scalar as YAML reads it back unchanged inside a flow mapping: plain when
// it is a simple word, double-quoted otherwise.
QString scalar(const QString &s)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_./-]*$"));
    static const QStringList special{QStringLiteral("true"), QStringLiteral("false"), QStringLiteral("null"),
                                     QStringLiteral("yes"), QStringLiteral("no"), QStringLiteral("on"),
                                     QStringLiteral("off"), QStringLiteral("y"), QStringLiteral("n")};
    if (plain.match(s).hasMatch() && !special.contains(s.toLower()))
        return s;
    QString out = QStringLiteral("\"");
    for (const QChar c : escapeEnvironment(s)) { // "${" stays literal when read back
        if (c == u'"' || c == u'\\')
            out += u'\\' + QString(c);
        else if (c == u'\n')
            out += QStringLiteral("\\n");
        else if (c == u'\t')
            out += QStringLiteral("\\t");
        else if (c.unicode() < 0x20)
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out + u'"';
}

QString flow(const QList<std::pair<QString, QString>> &pairs)
{
    QStringList parts;
    for (const auto &[k, v] : pairs)
        parts << scalar(k) + QStringLiteral(": ") + v;
    return parts.isEmpty() ? QStringLiteral("{}") : QStringLiteral("{ ") + parts.join(QStringLiteral(", ")) + QStringLiteral(" }");
}

int indentOf(const QString &line)
{
    int i = 0;
    while (i < line.size() && line.at(i) == u' ')
        ++i;
    return i;
}

bool isBlankOrComment(const QString &line)
{
    const QString t = line.trimmed();
    return t.isEmpty() || t.startsWith(u'#');
}

// The key of a `key: value` line (quotes removed), or empty.
QString keyOf(const QString &line)
{
    const QString t = line.trimmed();
    if (t.startsWith(u'"') || t.startsWith(u'\'')) {
        const int close = t.indexOf(t.at(0), 1);
        if (close > 0 && t.mid(close + 1).trimmed().startsWith(u':'))
            return t.mid(1, close - 1);
        return {};
    }
    static const QRegularExpression key(QStringLiteral("^([^#:{}\\[\\],]+?)\\s*:(\\s|$)"));
    const auto m = key.match(t);
    return m.hasMatch() ? m.captured(1) : QString();
}

// The text after the key's colon, and the line's trailing comment (from the
// '#' that follows whitespace outside quotes), if any.
std::pair<QString, QString> valueAndComment(const QString &line)
{
    int colon = -1;
    QChar quote;
    int comment = -1;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            continue;
        }
        if (c == u'"' || c == u'\'')
            quote = c;
        else if (c == u':' && colon < 0)
            colon = i;
        else if (c == u'#' && (i == 0 || line.at(i - 1).isSpace())) {
            comment = i;
            break;
        }
    }
    const int end = comment < 0 ? line.size() : comment;
    return {colon < 0 ? QString() : line.mid(colon + 1, end - colon - 1).trimmed(),
            comment < 0 ? QString() : line.mid(comment)};
}

} // namespace

QString flowMapping(const ConnectionDef &def)
{
    QList<std::pair<QString, QString>> p{{QStringLiteral("kind"), scalar(def.kind)}};
    if (!def.url.isEmpty())
        p.append({QStringLiteral("url"), scalar(def.url)});
    QList<std::pair<QString, QString>> auth;
    if (!def.bearerTokenSecret.isEmpty())
        auth.append({QStringLiteral("bearer_token_secret"), scalar(def.bearerTokenSecret)});
    if (!def.basicUser.isEmpty())
        auth.append({QStringLiteral("basic_user"), scalar(def.basicUser)});
    if (!def.passwordSecret.isEmpty())
        auth.append({QStringLiteral("password_secret"), scalar(def.passwordSecret)});
    if (!auth.isEmpty())
        p.append({QStringLiteral("auth"), flow(auth)});
    if (!def.headers.isEmpty()) {
        QList<std::pair<QString, QString>> headers;
        for (const auto &[k, v] : def.headers)
            headers.append({k, scalar(v)});
        p.append({QStringLiteral("headers"), flow(headers)});
    }
    if (!def.caFile.isEmpty())
        p.append({QStringLiteral("ca_file"), scalar(def.caFile)});
    if (!def.tlsVerify)
        p.append({QStringLiteral("tls_verify"), QStringLiteral("false")});
    if (def.timeoutMs != ConnectionDef{}.timeoutMs)
        p.append({QStringLiteral("timeout"), formatPromDuration(def.timeoutMs)});
    return flow(p);
}

QString flowMapping(const NotifierDef &def)
{
    QList<std::pair<QString, QString>> p{{QStringLiteral("kind"), scalar(def.kind)}};
    for (auto it = def.options.cbegin(); it != def.options.cend(); ++it)
        p.append({it.key(), scalar(it.value())});
    for (auto it = def.secrets.cbegin(); it != def.secrets.cend(); ++it)
        p.append({it.key() + QStringLiteral("_secret"), scalar(it.value())});
    if (!def.sendResolved)
        p.append({QStringLiteral("send_resolved"), QStringLiteral("false")});
    return flow(p);
}

WorkspaceEdit setMappingEntry(const QString &text, const QString &fileName, const QString &section,
                              const QString &name, const QString &flowValue)
{
    WorkspaceEdit edit;
    const QString where = QStringLiteral("%1: '%2'").arg(QFileInfo(fileName).fileName(), section);
    const QString eol = text.contains(QLatin1String("\r\n")) ? QStringLiteral("\r\n") : QStringLiteral("\n");
    QStringList lines = text.split(u'\n');
    const bool endsWithNewline = text.isEmpty() || text.endsWith(u'\n');
    if (endsWithNewline)
        lines.removeLast(); // the empty string after the final newline
    for (QString &l : lines)
        if (l.endsWith(u'\r'))
            l.chop(1);
    const QString entryLine = flowValue.isEmpty() ? QString() : scalar(name) + QStringLiteral(": ") + flowValue;

    int sectionLine = -1;
    for (int i = 0; i < lines.size(); ++i)
        if (indentOf(lines[i]) == 0 && !isBlankOrComment(lines[i]) && keyOf(lines[i]) == section) {
            sectionLine = i;
            break;
        }
    auto finish = [&]() -> WorkspaceEdit {
        edit.ok = true;
        edit.text = lines.join(eol) + eol;
        return edit;
    };
    if (sectionLine < 0) {
        if (entryLine.isEmpty())
            return finish(); // nothing to remove
        if (!lines.isEmpty() && !lines.last().trimmed().isEmpty())
            lines << QString();
        lines << section + u':' << QStringLiteral("  ") + entryLine;
        return finish();
    }
    const auto [sectionValue, sectionComment] = valueAndComment(lines[sectionLine]);
    if (sectionValue == QLatin1String("{}")) {
        lines[sectionLine] = section + u':' + (sectionComment.isEmpty() ? QString() : u' ' + sectionComment);
    } else if (!sectionValue.isEmpty()) {
        edit.error = QStringLiteral("%1 is not written as an indented block (it is '%2'); edit it by hand, or write it "
                                    "one entry per line, and try again").arg(where, sectionValue);
        return edit;
    }
    int bodyEnd = sectionLine + 1;
    while (bodyEnd < lines.size() && (indentOf(lines[bodyEnd]) > 0 || isBlankOrComment(lines[bodyEnd])))
        ++bodyEnd;
    int entryIndent = -1;
    int lastContent = sectionLine;
    for (int i = sectionLine + 1; i < bodyEnd; ++i) {
        if (lines[i].contains(u'\t') && !isBlankOrComment(lines[i])) {
            edit.error = QStringLiteral("%1 is indented with tabs at line %2; Vigil edits only space-indented files")
                             .arg(where).arg(i + 1);
            return edit;
        }
        if (isBlankOrComment(lines[i]))
            continue;
        if (entryIndent < 0)
            entryIndent = indentOf(lines[i]);
        lastContent = i;
    }
    if (entryIndent < 0)
        entryIndent = 2;
    const QString pad(entryIndent, u' ');

    for (int j = sectionLine + 1; j <= lastContent; ++j) {
        if (isBlankOrComment(lines[j]) || indentOf(lines[j]) != entryIndent || keyOf(lines[j]) != name)
            continue;
        int end = j;
        for (int k = j + 1; k <= lastContent; ++k) {
            if (isBlankOrComment(lines[k]))
                continue;
            if (indentOf(lines[k]) <= entryIndent)
                break;
            end = k;
        }
        const QString comment = end == j ? valueAndComment(lines[j]).second : QString();
        lines.erase(lines.begin() + j, lines.begin() + end + 1);
        if (!entryLine.isEmpty()) {
            lines.insert(j, pad + entryLine + (comment.isEmpty() ? QString() : u' ' + comment));
        } else {
            bool empty = true;
            for (int k = sectionLine + 1; k < bodyEnd - (end - j + 1); ++k)
                empty &= isBlankOrComment(lines[k]);
            if (empty) // `section:` alone would be null, which the parser refuses
                lines[sectionLine] = section + QStringLiteral(": {}") + (sectionComment.isEmpty() ? QString() : u' ' + sectionComment);
        }
        return finish();
    }
    if (!entryLine.isEmpty())
        lines.insert(lastContent + 1, pad + entryLine);
    return finish();
}

namespace {

bool applyAndSave(const QString &path, const QString &section, const QString &name, const QString &flowValue,
                  const std::function<QString(const Workspace &)> &verify, QString *error)
{
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, in.errorString());
        return false;
    }
    const QByteArray before = in.readAll();
    in.close();
    const WorkspaceEdit edit = setMappingEntry(QString::fromUtf8(before), path, section, name, flowValue);
    if (!edit.ok) {
        *error = edit.error;
        return false;
    }
    const QByteArray after = edit.text.toUtf8();
    // The edited file must load as well as before, with the entry as given.
    const Workspace was = parseWorkspace(before, path);
    const Workspace now = parseWorkspace(after, path);
    // Errors only: a warning the edit brings (tls_verify: false) is the user's
    // explicit choice, and the window shows it.
    auto errorsOf = [](const Workspace &ws) {
        QStringList out;
        for (const WorkspaceIssue &i : ws.issues)
            if (i.severity == WorkspaceIssue::Severity::Error)
                out << i.toString();
        return out;
    };
    const QStringList errorsBefore = errorsOf(was);
    QStringList added = errorsOf(now);
    if (added.size() > errorsBefore.size()) {
        for (const QString &e : errorsBefore)
            added.removeOne(e);
        *error = QStringLiteral("not saved: the edited %1 would not load: %2").arg(path, added.join(QStringLiteral("; ")));
        return false;
    }
    const QString mismatch = verify(now);
    if (!mismatch.isEmpty()) {
        *error = QStringLiteral("not saved: after the edit %1 %2").arg(path, mismatch);
        return false;
    }
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(after) != after.size() || !out.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, out.errorString());
        return false;
    }
    return true;
}

} // namespace

bool saveConnection(const QString &path, const ConnectionDef &def, QString *error)
{
    return applyAndSave(path, QStringLiteral("connections"), def.name, flowMapping(def), [&](const Workspace &ws) -> QString {
        const ConnectionDef *c = ws.connection(def.name);
        if (!c)
            return QStringLiteral("has no connection '%1'").arg(def.name);
        if (c->kind != def.kind || c->url != def.url || c->bearerTokenSecret != def.bearerTokenSecret
            || c->basicUser != def.basicUser || c->passwordSecret != def.passwordSecret)
            return QStringLiteral("reads connection '%1' differently than it was written").arg(def.name);
        return {};
    }, error);
}

bool saveNotifier(const QString &path, const NotifierDef &def, QString *error)
{
    return applyAndSave(path, QStringLiteral("notifiers"), def.name, flowMapping(def), [&](const Workspace &ws) -> QString {
        for (const NotifierDef &n : ws.notifiers)
            if (n.name == def.name)
                return n.kind == def.kind && n.secrets == def.secrets && n.options == def.options
                    ? QString() : QStringLiteral("reads notifier '%1' differently than it was written").arg(def.name);
        return QStringLiteral("has no notifier '%1'").arg(def.name);
    }, error);
}

bool removeEntry(const QString &path, const QString &section, const QString &name, QString *error)
{
    return applyAndSave(path, section, name, {}, [](const Workspace &) { return QString(); }, error);
}

} // namespace vigil
