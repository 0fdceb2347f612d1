# hostile_http.py KIND PORT [SRC]: send hostile and control requests over raw sockets to a
# creditscore server (KIND "api": `creditscore serve`; "dash": `creditscore dashboard`, whose
# API routes live under /api) and print one TAP-like line per case (ok / not ok). Each case
# says which status it expects, whether the connection must be closed after the answer,
# and that every error is the JSON {"error": {...}} with an X-Request-Id header.
# Used by test_http_front.sh. Python's standard library only.
import json
import socket
import sys
import time

kind, port = sys.argv[1], int(sys.argv[2])
P = "/api" if kind == "dash" else ""          # the API's routes as the dashboard forwards them
H = "Host: 127.0.0.1:%d\r\n" % port
FEAT = b'{"features": {"EXT_SOURCE_1": 0.3}}'


def exchange(data, wait=3.0, pause=None):
    """send data (bytes or a list of bytes sent with pause seconds between), read until the
    server closes or wait seconds pass; returns (raw answer bytes, closed?)"""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(0.2)
    parts = data if isinstance(data, list) else [data]
    for i, p in enumerate(parts):
        try:
            s.sendall(p)
        except (BrokenPipeError, ConnectionResetError):
            break
        if pause and i + 1 < len(parts):
            time.sleep(pause)
    out, closed, t0 = b"", False, time.time()
    while time.time() - t0 < wait:
        try:
            b = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            closed = True
            break
        if not b:
            closed = True
            break
        out += b
    s.close()
    return out, closed


def answers(raw):
    """split raw bytes into (status, headers dict, body) answers (Content-Length framing)"""
    res = []
    while raw.startswith(b"HTTP/1."):
        head, sep, rest = raw.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        hdrs = {}
        for l in lines[1:]:
            k, _, v = l.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = 0 if status < 200 else int(hdrs.get("content-length", len(rest)))
        res.append((status, hdrs, rest[:n]))
        raw = rest[n:]
    return res


def json_error(hdrs, body):
    try:
        e = json.loads(body)["error"]
        return isinstance(e.get("code"), str) and isinstance(e.get("message"), str) and \
            e.get("request_id") and hdrs.get("x-request-id") == e["request_id"]
    except Exception:
        return False


results = []


def case(name, data, want, closed=None, pause=None, wait=3.0, n_answers=1, is_error=None, code=None):
    raw, was_closed = exchange(data, wait, pause)
    a = answers(raw)
    why = []
    finals = [x for x in a if x[0] >= 200]
    if len(finals) != n_answers:
        why.append("%d answers (%s)" % (len(finals), raw[:120]))
    elif finals[0][0] not in (want if isinstance(want, tuple) else (want,)):
        why.append("HTTP %d, wanted %s: %s" % (finals[0][0], want, finals[0][2][:160]))
    elif (is_error if is_error is not None else finals[0][0] >= 400) and not json_error(finals[0][1], finals[0][2]):
        why.append("not the JSON error with X-Request-Id: %s %s" % (finals[0][1].get("content-type"), finals[0][2][:160]))
    if not why and code:
        try:
            got = json.loads(finals[0][2])["error"]["code"]
        except Exception:
            got = None
        if got != code:
            why.append("error code %s, wanted %s" % (got, code))
    if closed is True and not was_closed:
        why.append("connection left open")
    if closed is False and was_closed:
        why.append("connection closed")
    results.append(not why)
    print(("ok - %s: %s" % (kind, name)) if not why else ("not ok - %s: %s: %s" % (kind, name, "; ".join(why))))
    sys.stdout.flush()


def req(method, path, headers="", body=b"", version="HTTP/1.1", host=True):
    return ("%s %s %s\r\n%s%s" % (method, path, version, H if host else "", headers)).encode() + b"\r\n" + body


post = "POST %s/v1/predict HTTP/1.1\r\n%sContent-Type: application/json\r\n" % (P, H)

# ---- request smuggling: one framing only, refused and closed --------------------------------
case("two different Content-Length headers: 400 and closed",
     (post + "Content-Length: 5\r\nContent-Length: %d\r\n\r\n" % len(FEAT)).encode() + FEAT, 400, closed=True)
case("two equal Content-Length headers: 400 and closed",
     (post + "Content-Length: %d\r\nContent-Length: %d\r\n\r\n" % (len(FEAT), len(FEAT))).encode() + FEAT, 400, closed=True)
case("Content-Length with Transfer-Encoding: chunked: 400 and closed",
     (post + "Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % len(FEAT)).encode() +
     b"%x\r\n" % len(FEAT) + FEAT + b"\r\n0\r\n\r\n", 400, closed=True)
case("Transfer-Encoding: xchunked: 501 at once and closed",
     (post + "Transfer-Encoding: xchunked\r\n\r\n").encode() + b"5\r\nhello\r\n0\r\n\r\n", 501, closed=True, wait=2)
case("Transfer-Encoding: gzip, chunked: 501 at once and closed",
     (post + "Transfer-Encoding: gzip, chunked\r\n\r\n").encode() + b"5\r\nhello\r\n0\r\n\r\n", 501, closed=True, wait=2)
case("Content-Length: -1: one 400 and closed", (post + "Content-Length: -1\r\n\r\n").encode() + FEAT, 400, closed=True)
case("Content-Length: abc: one 400 and closed", (post + "Content-Length: abc\r\n\r\n").encode() + FEAT, 400, closed=True)
case("Content-Length: 1e3: 400 and closed", (post + "Content-Length: 1e3\r\n\r\n").encode() + FEAT, 400, closed=True)
case("Content-Length: 5, 5 (a list): 400 and closed", (post + "Content-Length: 5, 5\r\n\r\n").encode() + FEAT, 400, closed=True)

# ---- paths: no encoded NUL or slash on any route ---------------------------------------------
gets = ["/health", "/metrics", "/openapi.json", "/docs", "/v1/clients", "/v1/clients/100002", "/v1/model",
        "/v1/importance", "/v1/features/EXT_SOURCE_1/distribution"]
for path in gets:
    case("GET %s%s%%00.json: 400" % (P, path), req("GET", P + path + "%00.json"), 400)
    cut = path.rfind("/")
    case("GET %s with its last '/' as %%2f: 400" % (P + path), req("GET", P + path[:cut] + "%2f" + path[cut + 1:]), 400)
for path in ["/v1/predict", "/v1/explain"]:
    case("POST %s%s%%00: 400" % (P, path), req("POST", P + path + "%00", "Content-Length: %d\r\n" % len(FEAT), FEAT), 400)
    case("POST %s with %%2f: 400" % (P + path), req("POST", P + path.replace("/v1/", "/v1%2f"),
                                                     "Content-Length: %d\r\n" % len(FEAT), FEAT), 400)
case("GET %%2fv1%%2fmodel: 400", req("GET", "/%2fv1%2fmodel"), 400)
case("GET %s/v1/model/../health (dot segment): 400" % P, req("GET", P + "/v1/model/../health"), 400)
case("GET %s/v1/%%2e%%2e/health (encoded dot segment): 400" % P, req("GET", P + "/v1/%2e%2e/health"), 400)
case("GET a path with a raw backslash: 400", req("GET", P + "/v1\\model"), 400)
case("GET a query with %00: 400", req("GET", P + "/v1/clients?q=a%00b"), 400)
for bad in ["+100002", "%20100002", "0100002", "100002%20", "-1", "1e5", "0x10"]:
    case("GET %s/v1/clients/%s (not the canonical id): 400" % (P, bad), req("GET", P + "/v1/clients/" + bad), 400)
for bad in ["+10", "%2010", "010"]:
    case("GET %s/v1/clients?limit=%s: 400" % (P, bad), req("GET", P + "/v1/clients?limit=" + bad), 400)
if kind == "dash":
    case("GET /index.html%00.png: 400", req("GET", "/index.html%00.png"), 400)
    case("GET /index.html%2f: 400", req("GET", "/index.html%2f"), 400)
    case("GET /%2findex.html: 400", req("GET", "/%2findex.html"), 400)
    case("GET /index.html: 200", req("GET", "/index.html"), 200, is_error=False)
    case("GET /no-such-file.js: 404 as JSON", req("GET", "/no-such-file.js"), 404)
    case("DELETE /index.html: 405 as JSON", req("DELETE", "/index.html"), 405)

# ---- header fields: strict characters --------------------------------------------------------
case("a NUL in X-API-Key's value: 400", req("GET", P + "/v1/model").replace(b"\r\n\r\n", b"\r\nX-API-Key: KEY\x00junk\r\n\r\n"), 400)
case("a bare CR in X-Request-Id: 400", req("GET", P + "/health").replace(b"\r\n\r\n", b"\r\nX-Request-Id: abc\rdef\r\n\r\n"), 400)
case("a bare CR in a request line: 400", b"GET " + P.encode() + b"/health\r HTTP/1.1\r\n" + H.encode() + b"\r\n", 400)
case("a DEL in a header value: 400", req("GET", P + "/health", "X-Note: a\x7fb\r\n"), 400)
case("a space before ':' in a field name: 400", req("GET", P + "/health", "X-Note : b\r\n"), 400)
case("a folded header line: 400", req("GET", P + "/health", "X-Note: a\r\n  b\r\n"), 400)
case("two Host headers: 400", req("GET", P + "/health", H), 400)
case("HTTP/1.1 without Host: 400", req("GET", P + "/health", host=False), 400)
case("HTTP/1.0 without Host: answered, then closed", req("GET", P + "/health", version="HTTP/1.0", host=False), 200,
     closed=True, is_error=False)
case("an absolute-form target is accepted: 200",
     req("GET", "http://127.0.0.1:%d%s/health" % (port, P)), 200, is_error=False)
case("a valid X-Request-Id is echoed", req("GET", P + "/health", "X-Request-Id: rq-123.A_b\r\n"), 200, is_error=False)

# ---- the transport's errors are the JSON error too -------------------------------------------
case("a bad chunk size: 400 JSON", (post + "Transfer-Encoding: chunked\r\n\r\n").encode() + b"zz\r\nhello\r\n0\r\n\r\n",
     400, closed=True)
case("chunk data longer than its size: 400 JSON", (post + "Transfer-Encoding: chunked\r\n\r\n").encode() +
     b"2\r\nhello\r\n0\r\n\r\n", 400, closed=True)
case("a body over the limit: 413 JSON", (post + "Content-Length: 5000000\r\n\r\n").encode() + b"{", 413, closed=True)
case("a chunked body over the limit: 413 JSON", (post + "Transfer-Encoding: chunked\r\n\r\n").encode() +
     b"500000\r\n" + b"x" * 1000, 413, closed=True)
case("a 10 KB target: 414 JSON", req("GET", P + "/health?x=" + "a" * 10000), 414, closed=True)
case("a 70 KB header: 431 JSON", req("GET", P + "/health", "X-Big: " + "a" * 70000 + "\r\n"), 431, closed=True)
case("HTTP/2.0 on the request line: 505 JSON", req("GET", P + "/health", version="HTTP/2.0"), 505, closed=True)
case("HTTP/1.2 on the request line: 505 JSON", req("GET", P + "/health", version="HTTP/1.2"), 505, closed=True)
case("a request line of garbage: 400 JSON", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400, closed=True)
case("Expect: 3-fold: 417 JSON", req("POST", P + "/v1/predict", "Expect: 3-fold\r\nContent-Length: %d\r\n" % len(FEAT), FEAT),
     417, closed=True)

# ---- JSON bodies: strict syntax -------------------------------------------------------------
def body_case(name, body, want, code=None):
    b = body.encode()
    case(name, (post + "Content-Length: %d\r\n\r\n" % len(b)).encode() + b, want, code=code, is_error=want >= 400,
         wait=1.5)


body_case("a NUL inside a key (client_id\\u0000x): 400", '{"client_id\\u0000x": 100002}', 400, "malformed_json")
body_case("a NUL inside a feature name: 400", '{"features": {"EXT_SOURCE_2\\u0000junk": 0.5}}', 400, "malformed_json")
body_case("a NUL inside a string value: 400", '{"features": {"EXT_SOURCE_1": 0.5}, "lang": "en\\u0000"}', 400, "malformed_json")
for num in ["01", "1.", "-01.5", "+1", ".5", "1e", "0x10", "NaN", "Infinity", "1.5e+"]:
    body_case("the number %s is not JSON: 400" % num, '{"features": {"EXT_SOURCE_1": %s}}' % num, 400, "malformed_json")
body_case("a lone surrogate: 400", '{"features": {"EXT_SOURCE_1\\ud800": 1}}', 400, "malformed_json")
BAD_UTF8 = b'{"features": {"\xc0\xaf": 1}}'
case("invalid UTF-8 in a key: 400", (post + "Content-Length: %d\r\n\r\n" % len(BAD_UTF8)).encode() + BAD_UTF8,
     400, code="malformed_json", wait=1.5)
for num in ["0.5", "-0.5e-3", "0", "5E2"]:
    body_case("the JSON number %s is read: 200" % num, '{"features": {"EXT_SOURCE_1": %s}}' % num, 200)
body_case("raw records naming another client: 400 invalid_records",
          '{"application": {"SK_ID_CURR": 100002}, "bureau": [{"SK_ID_CURR": 100003, "SK_ID_BUREAU": 1}]}', 400,
          "invalid_records")
# (records naming the applicant are read: test_serve.sh's raw-records case, on a kernel model)

# ---- what must keep working ------------------------------------------------------------------
case("a chunked body is scored: 200",
     (post + "Transfer-Encoding: chunked\r\n\r\n").encode() + b"%x\r\n" % 10 + FEAT[:10] + b"\r\n%x;ext=1\r\n" %
     (len(FEAT) - 10) + FEAT[10:] + b"\r\n0\r\nX-Trailer: t\r\n\r\n", 200, closed=False, is_error=False, wait=1.5)
case("Expect: 100-continue: 100, then 200",
     [(post + "Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(FEAT)).encode(), FEAT], 200, pause=0.3,
     is_error=False, wait=1.5)
case("two pipelined requests: two answers, in order",
     req("GET", P + "/health") + req("GET", P + "/v1/model"), 200, n_answers=2, is_error=False, wait=1.5)
case("a good request then a smuggled one: 200, then 400 and closed",
     req("GET", P + "/health") + (post + "Content-Length: 1\r\nContent-Length: 2\r\n\r\n").encode() + b"{}", (200,),
     n_answers=2, is_error=False, closed=True)
case("a request split in 1-byte writes: 200", [bytes([b]) for b in req("GET", P + "/health")], 200, pause=0.002,
     is_error=False, wait=1.5)
print("# %s: %d of %d cases passed" % (kind, sum(results), len(results)))
