#!/usr/bin/env python3
"""Peak and settled memory of the server under hostile uploads (issue 13), on loopback only.

Usage: scripts/lib/upload_memory.py BINARY [SCENARIO...]

For each scenario a fresh server (BINARY serve, temporary database, demo offices, no demo history) is started on
127.0.0.1; its VmRSS is sampled every 20 ms from /proc while the scenario runs; "settled" is VmRSS 5 s after the
scenario's last answer. Scenarios (all by default):
  anonymous   5 signed-out uploads of 190 MB at once (10 files of 19 MB each)
  stalled     5 signed-out connections that send 75 MB of an announced 190 MB body, then nothing for 30 s
  signed_in   5 uploads of 190 MB at once by a signed-in district administrator, sent fast
  zip         one zip of 1,000 entries of 1 MiB of zeros (1.1 MB packed), by a signed-in district administrator
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import io
import zipfile

PORT = 3931
BASE = f"http://127.0.0.1:{PORT}"
BOUNDARY = "gongkai-bench-boundary"
MB = 1024 * 1024


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, rss_kb(self.pid))
            except OSError:
                return
            time.sleep(0.02)


def start(binary, work):
    db = f"sqlite://{work}/bench.db"
    env = dict(os.environ, RUST_LOG="warn", LEPTOS_SITE_ROOT=os.environ.get("LEPTOS_SITE_ROOT", "target/site"))
    proc = subprocess.Popen(
        [binary, "--database-url", db, "serve", "--addr", f"127.0.0.1:{PORT}", "--no-demo-history"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(6000):
        try:
            urllib.request.urlopen(f"{BASE}/health", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the server did not start")


def sign_in(username):
    """(cookie, csrf token) of a demo account."""
    body = urllib.parse.urlencode({"username": username, "password": "Gongkai-Demo-2022"}).encode()
    with socket.create_connection(("127.0.0.1", PORT)) as s:
        s.sendall((f"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nOrigin: {BASE}\r\n"
                   f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
                   "Connection: close\r\n\r\n").encode() + body)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    cookie = re.search(rb"(?i)set-cookie: (gongkai_session=[^;]+)", answer).group(1).decode()
    request = urllib.request.Request(f"{BASE}/account/password", headers={"Cookie": cookie})
    html = urllib.request.urlopen(request).read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return cookie, csrf


def part_head(name, file_name=None):
    disposition = f'form-data; name="{name}"' + (f'; filename="{file_name}"' if file_name else "")
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\nContent-Type: application/octet-stream\r\n\r\n"


def upload(cookie, csrf, files, stall_after=None, stall_for=0):
    """Sends a multipart upload: the token first, then `files` (name, bytes or size of filler). With
    `stall_after`, stops sending after that many body bytes and waits `stall_for` seconds. Returns the status."""
    pieces = []
    if csrf:
        pieces.append(part_head("csrf_token").encode() + csrf.encode() + b"\r\n")
    for name, content in files:
        pieces.append((part_head("file", name).encode(), content))
        pieces.append(b"\r\n")
    pieces.append(f"--{BOUNDARY}--\r\n".encode())
    length = sum(len(p[0]) + (p[1] if isinstance(p[1], int) else len(p[1])) if isinstance(p, tuple) else len(p)
                 for p in pieces)
    cookie_line = f"Cookie: {cookie}\r\n" if cookie else ""
    head = (f"POST /returns/upload HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nOrigin: {BASE}\r\n{cookie_line}"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {length}\r\n"
            "Connection: close\r\n\r\n").encode()
    sent = 0
    filler = b"\x00" * MB

    def status_of(answer):
        lines = answer.decode(errors="replace").split("\r\n")
        location = [l.split(":", 1)[1].strip() for l in lines if l.lower().startswith("location:")]
        return lines[0].replace("HTTP/1.1 ", "") + (f" → {location[0]}" if location else "")

    with socket.create_connection(("127.0.0.1", PORT)) as s:
        try:
            s.sendall(head)

            def send(data):
                nonlocal sent
                if stall_after is not None and sent + len(data) > stall_after:
                    s.sendall(data[: max(0, stall_after - sent)])
                    time.sleep(stall_for)
                    raise TimeoutError
                s.sendall(data)
                sent += len(data)

            for piece in pieces:
                if isinstance(piece, tuple):
                    send(piece[0])
                    if isinstance(piece[1], int):
                        for _ in range(piece[1] // MB):
                            send(filler)
                    else:
                        send(piece[1])
                else:
                    send(piece)
            return status_of(s.recv(4096))
        except (ConnectionError, TimeoutError) as e:
            # The server may have answered before the body was sent: its answer is still in the socket.
            s.settimeout(1)
            try:
                answer = s.recv(4096)
            except OSError:
                answer = b""
            what = status_of(answer) if answer else "no answer"
            return f"{what} ({type(e).__name__} after {sent // MB} MB sent)"


def scenario(name):
    admin = lambda: sign_in("demo-tianjin-admin")
    twenty_mb_files = [(f"{i}.xlsx", 19 * MB) for i in range(10)]
    if name == "anonymous":
        return [lambda: upload(None, None, twenty_mb_files) for _ in range(5)]
    if name == "stalled":
        return [lambda: upload(None, None, twenty_mb_files, stall_after=75 * MB, stall_for=30) for _ in range(5)]
    if name == "signed_in":
        cookie, csrf = admin()
        return [lambda: upload(cookie, csrf, twenty_mb_files) for _ in range(5)]
    if name == "zip":
        cookie, csrf = admin()
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
            zeros = b"\x00" * MB
            for i in range(1000):
                z.writestr(f"{i}.xlsx", zeros)
        data = packed.getvalue()
        return [lambda: upload(cookie, csrf, [("zeros.zip", data)])]
    raise SystemExit(f"unknown scenario {name}")


def main():
    binary = sys.argv[1]
    names = sys.argv[2:] or ["anonymous", "stalled", "signed_in", "zip"]
    print("| scenario | answers | peak VmRSS | settled VmRSS (5 s after) | time |")
    print("|---|---|---|---|---|")
    for name in names:
        work = tempfile.mkdtemp()
        proc = start(binary, work)
        try:
            calls = scenario(name)
            time.sleep(1)
            base = rss_kb(proc.pid)
            sampler = Sampler(proc.pid)
            sampler.start()
            answers = []
            t0 = time.time()
            threads = [threading.Thread(target=lambda c=c: answers.append(c())) for c in calls]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.time() - t0
            time.sleep(5)
            settled = rss_kb(proc.pid)
            sampler.running = False
            shown = [re.sub(r"/returns/uploads/\S+", "/returns/uploads/…", re.sub(r"after \d+ MB", "after n MB", a))
                     for a in answers]
            summary = "; ".join(f"{shown.count(a)} × {a}" for a in sorted(set(shown)))
            print(f"| {name} (idle {base // 1024} MB) | {summary} | {sampler.peak // 1024} MB | "
                  f"{settled // 1024} MB | {elapsed:.1f} s |", flush=True)
        finally:
            proc.terminate()
            proc.wait()
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
