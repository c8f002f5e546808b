// SPDX-License-Identifier: GPL-3.0-or-later
#include "secrets/secret_store.h"

#include "secrets/keychain_errors.h"

#include <qt6keychain/keychain.h>

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QMetaObject>
#include <QPromise>
#include <QSemaphore>
#include <QThread>

#include <atomic>

namespace vigil::secrets {

QString environmentVariableFor(const QString &name)
{
    QString var = QStringLiteral("VIGIL_SECRET_") + name.toUpper();
    for (QChar &c : var)
        if (!(c.isLetterOrNumber() && c.unicode() < 128))
            c = u'_';
    return var;
}

namespace {

QFuture<SecretResult> ready(SecretResult r)
{
    QPromise<SecretResult> p;
    p.start();
    p.addResult(std::move(r));
    p.finish();
    return p.future();
}

// The one thread every QtKeychain job runs in (see KeychainSecretStore).
// Started on first use, stopped when the application object goes away.
class KeychainThread
{
public:
    static KeychainThread &instance()
    {
        static KeychainThread *thread = [] {
            auto *t = new KeychainThread;
            qAddPostRoutine([] { KeychainThread::instance().stop(); });
            return t;
        }();
        return *thread;
    }

    template<typename F>
    void run(F &&f)
    {
        QMetaObject::invokeMethod(m_context, std::forward<F>(f), Qt::QueuedConnection);
    }
    QObject *context() const { return m_context; }

private:
    KeychainThread()
    {
        m_thread.setObjectName(QStringLiteral("vigil-keychain"));
        m_context = new QObject;
        m_context->moveToThread(&m_thread);
        m_thread.start();
    }
    void stop()
    {
        m_thread.quit();
        m_thread.wait();
    }

    QThread m_thread;
    QObject *m_context = nullptr; // lives in m_thread; QtKeychain's jobs are its children
};

// Why the Secret Service's default collection cannot hold secrets (it is
// locked, or there is none), or empty when it can or when this cannot be told
// (KWallet, no bus). A blocking D-Bus call: only in the keychain thread.
QString defaultCollectionProblem()
{
    QDBusMessage get = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.secrets"), QStringLiteral("/org/freedesktop/secrets/aliases/default"),
        QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
    get << QStringLiteral("org.freedesktop.Secret.Collection") << QStringLiteral("Locked");
    const QDBusMessage reply = QDBusConnection::sessionBus().call(get, QDBus::Block, 2'000);
    if (reply.type() == QDBusMessage::ErrorMessage) {
        const QString error = reply.errorMessage();
        return error.contains(QLatin1String("does not exist"), Qt::CaseInsensitive) ? error : QString();
    }
    const QVariant locked = reply.arguments().value(0).value<QDBusVariant>().variant();
    return locked.toBool() ? QStringLiteral("the default collection is locked") : QString();
}

using Promise = std::shared_ptr<QPromise<SecretResult>>;

Promise startedPromise()
{
    auto p = std::make_shared<QPromise<SecretResult>>();
    p->start();
    return p;
}

void complete(const Promise &p, SecretResult r)
{
    p->addResult(std::move(r));
    p->finish();
}

} // namespace

// --- environment ---

QFuture<SecretResult> EnvironmentSecretStore::read(const QString &name)
{
    const QString var = environmentVariableFor(name);
    SecretResult r;
    r.value = qEnvironmentVariable(var.toUtf8().constData());
    if (r.value.isEmpty()) {
        r.status = SecretStatus::NotFound;
        r.message = QStringLiteral("secret '%1' not found; set the environment variable %2").arg(name, var);
    } else {
        r.source = QStringLiteral("environment variable ") + var;
    }
    return ready(r);
}

QFuture<SecretResult> EnvironmentSecretStore::write(const QString &name, const QString &)
{
    return ready({SecretStatus::ReadOnly, {},
                  QStringLiteral("secret '%1' cannot be stored in the environment; set %2 where Vigil starts")
                      .arg(name, environmentVariableFor(name)), {}});
}

QFuture<SecretResult> EnvironmentSecretStore::remove(const QString &name)
{
    return write(name, {});
}

// --- keychain ---

KeychainSecretStore::KeychainSecretStore(QString service) : m_service(std::move(service))
{
    KeychainThread::instance(); // started now, so the first read does not pay for it
}

KeychainSecretStore::~KeychainSecretStore() = default;

QFuture<SecretResult> KeychainSecretStore::read(const QString &name)
{
    Promise promise = startedPromise();
    QFuture<SecretResult> future = promise->future();
    KeychainThread &t = KeychainThread::instance();
    QObject *context = t.context();
    t.run([promise, name, service = m_service, context] {
        auto *job = new QKeychain::ReadPasswordJob(service, context);
        job->setAutoDelete(true);
        job->setKey(name);
        QObject::connect(job, &QKeychain::Job::finished, context, [promise, name, service](QKeychain::Job *j) {
            auto *read = static_cast<QKeychain::ReadPasswordJob *>(j);
            if (read->error() == QKeychain::NoError) {
                SecretResult r;
                r.value = read->textData();
                r.source = QStringLiteral("keychain");
                if (r.value.isEmpty()) {
                    r.status = SecretStatus::NotFound;
                    r.message = keychainFailure(name, service, KeychainOperation::Read, QKeychain::EntryNotFound, {}).message;
                }
                return complete(promise, r);
            }
            QString text = read->errorString();
            // A locked keyring with no prompter answers "Entry not found" too:
            // ask the Secret Service whether its default collection is usable.
            if (read->error() == QKeychain::EntryNotFound) {
                const QString why = defaultCollectionProblem();
                if (!why.isEmpty())
                    text = why;
            }
            complete(promise, keychainFailure(name, service, KeychainOperation::Read, read->error(), text));
        });
        job->start();
    });
    return future;
}

QFuture<SecretResult> KeychainSecretStore::write(const QString &name, const QString &value)
{
    Promise promise = startedPromise();
    QFuture<SecretResult> future = promise->future();
    KeychainThread &t = KeychainThread::instance();
    QObject *context = t.context();
    t.run([promise, name, value, service = m_service, context] {
        auto *job = new QKeychain::WritePasswordJob(service, context);
        job->setAutoDelete(true);
        job->setKey(name);
        job->setTextData(value);
        QObject::connect(job, &QKeychain::Job::finished, context, [promise, name, service](QKeychain::Job *j) {
            if (j->error() == QKeychain::NoError)
                return complete(promise, {SecretStatus::Ok, {}, {}, QStringLiteral("keychain")});
            complete(promise, keychainFailure(name, service, KeychainOperation::Write, j->error(), j->errorString()));
        });
        job->start();
    });
    return future;
}

QFuture<SecretResult> KeychainSecretStore::remove(const QString &name)
{
    Promise promise = startedPromise();
    QFuture<SecretResult> future = promise->future();
    KeychainThread &t = KeychainThread::instance();
    QObject *context = t.context();
    t.run([promise, name, service = m_service, context] {
        auto *job = new QKeychain::DeletePasswordJob(service, context);
        job->setAutoDelete(true);
        job->setKey(name);
        QObject::connect(job, &QKeychain::Job::finished, context, [promise, name, service](QKeychain::Job *j) {
            SecretResult r = j->error() == QKeychain::NoError
                ? SecretResult{SecretStatus::Ok, {}, {}, QStringLiteral("keychain")}
                : keychainFailure(name, service, KeychainOperation::Remove, j->error(), j->errorString());
            if (r.status == SecretStatus::NotFound) // nothing to remove: done
                r = SecretResult{SecretStatus::Ok, {}, {}, QStringLiteral("keychain")};
            complete(promise, r);
        });
        job->start();
    });
    return future;
}

// --- environment, then keychain ---

ResolvingSecretStore::ResolvingSecretStore(std::shared_ptr<SecretStore> environment, std::shared_ptr<SecretStore> keychain)
    : m_environment(std::move(environment)), m_keychain(std::move(keychain))
{
}

QFuture<SecretResult> ResolvingSecretStore::read(const QString &name)
{
    QFuture<SecretResult> env = m_environment->read(name);
    // The environment answers at once; only when it has nothing is the keychain asked.
    if (env.isFinished() && env.result().ok())
        return env;
    return m_keychain->read(name);
}

QFuture<SecretResult> ResolvingSecretStore::write(const QString &name, const QString &value)
{
    return m_keychain->write(name, value);
}

QFuture<SecretResult> ResolvingSecretStore::remove(const QString &name)
{
    return m_keychain->remove(name);
}

SecretStore &defaultSecretStore()
{
    static ResolvingSecretStore store(std::make_shared<EnvironmentSecretStore>(),
                                      std::make_shared<KeychainSecretStore>(QStringLiteral("vigil")));
    return store;
}

SecretResult waitForSecret(QFuture<SecretResult> future, const QString &name, int timeoutMs)
{
    if (!future.isFinished()) {
        Q_ASSERT(QThread::currentThread() != KeychainThread::instance().context()->thread());
        // Released by the thread that completes the promise; no event loop is needed here.
        auto done = std::make_shared<QSemaphore>();
        future.then(QtFuture::Launch::Sync, [done](const SecretResult &) { done->release(); });
        if (!done->tryAcquire(1, timeoutMs))
            return keychainTimeout(name, timeoutMs);
    }
    return future.result();
}

QString resolveSecret(const QString &name, QString *error, int timeoutMs)
{
    // QtKeychain runs one job at a time: behind a read that timed out (an
    // unlock prompt nobody answers) every other read would wait as long. Until
    // that read ends, the others give up at once with the same message.
    static std::atomic<bool> stalled{false};
    QFuture<SecretResult> future = defaultSecretStore().read(name);
    SecretResult r = waitForSecret(future, name, stalled ? 0 : timeoutMs);
    if (r.status == SecretStatus::TimedOut) {
        r = keychainTimeout(name, timeoutMs);
        if (!stalled.exchange(true))
            future.then(QtFuture::Launch::Sync, [](const SecretResult &) { stalled = false; });
    }
    if (!r.ok() && error)
        *error = r.message;
    return r.ok() ? r.value : QString();
}

} // namespace vigil::secrets
