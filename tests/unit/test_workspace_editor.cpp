// SPDX-License-Identifier: GPL-3.0-or-later
// The workspace editor behind the Connections dialog: one entry of
// `connections:` or `notifiers:` replaced or added, the rest of the file kept
// byte for byte.
#include <catch2/catch.hpp>

#include "workspace/workspace_editor.h"

#include <QFile>
#include <QTemporaryDir>

using namespace vigil;

namespace {

const QString kFile = QStringLiteral(R"(# Team workspace: keep this comment
connections:
  # the main Prometheus
  prom: { kind: prometheus, url: "http://127.0.0.1:9090" }  # scraped every 15s
  registry:
    kind: mlflow       # the model registry
    url: "http://127.0.0.1:5000"
    auth:
      basic_user: ci
      password_secret: mlflow-ci

dashboards:   # order matters
  - name: Fleet
    panels:
      - { title: Up, query: up }
notifiers:
  desktop: { kind: desktop }
)");

ConnectionDef prometheus(const QString &name, const QString &url)
{
    ConnectionDef d;
    d.name = name;
    d.kind = QStringLiteral("prometheus");
    d.url = url;
    return d;
}

} // namespace

TEST_CASE("Workspace editor: replacing a one-line entry keeps every other byte and its trailing comment", "[workspace][editor]")
{
    ConnectionDef d = prometheus(QStringLiteral("prom"), QStringLiteral("http://10.0.0.1:9090"));
    d.bearerTokenSecret = QStringLiteral("prom-token");
    const WorkspaceEdit e = setMappingEntry(kFile, QStringLiteral("team.yaml"), QStringLiteral("connections"), d.name, flowMapping(d));
    REQUIRE(e.ok);
    QString expected = kFile;
    expected.replace(QStringLiteral(R"(  prom: { kind: prometheus, url: "http://127.0.0.1:9090" }  # scraped every 15s)"),
                     QStringLiteral(R"(  prom: { kind: prometheus, url: "http://10.0.0.1:9090", auth: { bearer_token_secret: prom-token } } # scraped every 15s)"));
    CHECK(e.text == expected);
    const Workspace ws = parseWorkspace(e.text.toUtf8(), QStringLiteral("team.yaml"));
    CHECK_FALSE(ws.hasErrors());
    REQUIRE(ws.connection(QStringLiteral("prom")));
    CHECK(ws.connection(QStringLiteral("prom"))->bearerTokenSecret == "prom-token");
}

TEST_CASE("Workspace editor: a multi-line entry becomes one flow line, the entries around it untouched", "[workspace][editor]")
{
    ConnectionDef d;
    d.name = QStringLiteral("registry");
    d.kind = QStringLiteral("mlflow");
    d.url = QStringLiteral("https://mlflow.example:5000/prefix");
    d.basicUser = QStringLiteral("ci bot");
    d.passwordSecret = QStringLiteral("mlflow-ci");
    d.timeoutMs = 30'000;
    const WorkspaceEdit e = setMappingEntry(kFile, QStringLiteral("team.yaml"), QStringLiteral("connections"), d.name, flowMapping(d));
    REQUIRE(e.ok);
    CHECK(e.text.contains(QStringLiteral(R"(  registry: { kind: mlflow, url: "https://mlflow.example:5000/prefix", auth: { basic_user: "ci bot", password_secret: mlflow-ci }, timeout: 30s }
)"
                                         "\n" "dashboards:   # order matters\n")));
    CHECK_FALSE(e.text.contains("the model registry")); // a comment inside the replaced entry goes (documented)
    CHECK(e.text.startsWith("# Team workspace: keep this comment\nconnections:\n  # the main Prometheus\n  prom: "));
    const Workspace ws = parseWorkspace(e.text.toUtf8(), QStringLiteral("team.yaml"));
    CHECK_FALSE(ws.hasErrors());
    REQUIRE(ws.connection(QStringLiteral("registry")));
    CHECK(ws.connection(QStringLiteral("registry"))->basicUser == "ci bot");
    CHECK(ws.connection(QStringLiteral("registry"))->timeoutMs == 30'000);
}

TEST_CASE("Workspace editor: a new entry goes after the section's last entry, a new section at the end", "[workspace][editor]")
{
    const ConnectionDef vm = prometheus(QStringLiteral("vm"), QStringLiteral("http://127.0.0.1:8428"));
    const WorkspaceEdit e = setMappingEntry(kFile, QStringLiteral("team.yaml"), QStringLiteral("connections"), vm.name, flowMapping(vm));
    REQUIRE(e.ok);
    CHECK(e.text.contains(QStringLiteral("      password_secret: mlflow-ci\n  vm: { kind: prometheus, url: \"http://127.0.0.1:8428\" }\n\ndashboards:")));

    const WorkspaceEdit fresh = setMappingEntry(QStringLiteral("# only a comment\n"), QStringLiteral("new.yaml"),
                                                QStringLiteral("connections"), vm.name, flowMapping(vm));
    REQUIRE(fresh.ok);
    CHECK(fresh.text == "# only a comment\n\nconnections:\n  vm: { kind: prometheus, url: \"http://127.0.0.1:8428\" }\n");

    NotifierDef slack;
    slack.name = QStringLiteral("oncall-slack");
    slack.kind = QStringLiteral("slack");
    slack.options.insert(QStringLiteral("channel"), QStringLiteral("#oncall"));
    slack.secrets.insert(QStringLiteral("webhook"), QStringLiteral("slack-oncall"));
    const WorkspaceEdit n = setMappingEntry(kFile, QStringLiteral("team.yaml"), QStringLiteral("notifiers"), slack.name, flowMapping(slack));
    REQUIRE(n.ok);
    CHECK(n.text.endsWith("  desktop: { kind: desktop }\n  oncall-slack: { kind: slack, channel: \"#oncall\", webhook_secret: slack-oncall }\n"));
    const Workspace ws = parseWorkspace(n.text.toUtf8(), QStringLiteral("team.yaml"));
    CHECK_FALSE(ws.hasErrors());
    REQUIRE(ws.notifiers.size() == 2);
    CHECK(ws.notifiers[1].options.value(QStringLiteral("channel")) == "#oncall");
}

TEST_CASE("Workspace editor: removing entries, an empty flow section, and what it refuses", "[workspace][editor]")
{
    const WorkspaceEdit removed = setMappingEntry(kFile, QStringLiteral("team.yaml"), QStringLiteral("connections"),
                                                  QStringLiteral("registry"), {});
    REQUIRE(removed.ok);
    CHECK(removed.text.contains("# scraped every 15s\n\ndashboards:"));

    const WorkspaceEdit last = setMappingEntry(QStringLiteral("connections:\n  only: { kind: demo }\nrefresh: 5s\n"), QStringLiteral("a.yaml"),
                                               QStringLiteral("connections"), QStringLiteral("only"), {});
    REQUIRE(last.ok);
    CHECK(last.text == "connections: {}\nrefresh: 5s\n");

    const ConnectionDef d = prometheus(QStringLiteral("p"), QStringLiteral("http://h:1"));
    const WorkspaceEdit emptyFlow = setMappingEntry(QStringLiteral("connections: {}  # none yet\r\nrefresh: 5s\r\n"), QStringLiteral("a.yaml"),
                                                    QStringLiteral("connections"), d.name, flowMapping(d));
    REQUIRE(emptyFlow.ok);
    CHECK(emptyFlow.text == "connections: # none yet\r\n  p: { kind: prometheus, url: \"http://h:1\" }\r\nrefresh: 5s\r\n");

    const WorkspaceEdit flowSection = setMappingEntry(QStringLiteral("connections: { a: { kind: demo } }\n"), QStringLiteral("a.yaml"),
                                                      QStringLiteral("connections"), d.name, flowMapping(d));
    CHECK_FALSE(flowSection.ok);
    CHECK(flowSection.error.startsWith("a.yaml: 'connections' is not written as an indented block"));
}

TEST_CASE("Workspace editor: saveConnection writes atomically and refuses an edit that would not load", "[workspace][editor]")
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("team.yaml"));
    {
        QFile f(path);
        REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(kFile.toUtf8());
    }
    QString error;
    CHECK(saveConnection(path, prometheus(QStringLiteral("vm"), QStringLiteral("http://127.0.0.1:8428")), &error));
    CHECK(error.isEmpty());
    CHECK(loadWorkspace(path).connection(QStringLiteral("vm")));

    ConnectionDef bad = prometheus(QStringLiteral("bad"), QStringLiteral("ftp://nowhere"));
    CHECK_FALSE(saveConnection(path, bad, &error));
    CHECK(error.contains("would not load"));
    CHECK(error.contains("must start with http:// or https://"));
    CHECK_FALSE(loadWorkspace(path).connection(QStringLiteral("bad")));
}
