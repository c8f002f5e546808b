// SPDX-License-Identifier: GPL-3.0-or-later
#include "sources/connector.h"

namespace vigil {

QString errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::None: return QStringLiteral("ok");
    case ErrorKind::Network: return QStringLiteral("network error");
    case ErrorKind::Timeout: return QStringLiteral("timeout");
    case ErrorKind::Http: return QStringLiteral("HTTP error");
    case ErrorKind::BadResponse: return QStringLiteral("bad response");
    case ErrorKind::Server: return QStringLiteral("server error");
    case ErrorKind::TooLarge: return QStringLiteral("response too large");
    case ErrorKind::Canceled: return QStringLiteral("canceled");
    }
    return QStringLiteral("unknown");
}

} // namespace vigil
