"""Checks what an S3 test server honours for conditional writes; prints one line per check.

    .venv-s3/bin/python s3-verify.py [PORT]        (default 19330, the s3-start.sh server)

1. PutObject with If-None-Match: * on an existing key -> 412
2. CompleteMultipartUpload with If-None-Match: * on an existing key -> 412
3. CopyObject with If-None-Match: * on an existing destination -> 412 (AWS documents it;
   reported as a GAP, not a failure: nothing here relies on it)
4. 16 racing conditional PUTs of small and of 8 MB bodies -> exactly one 200 per trial.
   The racers send everything but the last byte, then release it together, to make the
   window between a server's existence check and its store as likely to be hit as possible.
Exit status 1 when a required check fails.
"""
import socket
import sys
import threading
import time
import uuid

import boto3
import botocore

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 19330
s3 = boto3.client(
    "s3", endpoint_url=f"http://127.0.0.1:{PORT}", aws_access_key_id="verify", aws_secret_access_key="verify",
    region_name="us-east-1", config=botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
)
BUCKET = "s3-verify"
s3.create_bucket(Bucket=BUCKET)
run = uuid.uuid4().hex[:8]
failed = False


def status(f):
    try:
        return f()["ResponseMetadata"]["HTTPStatusCode"]
    except botocore.exceptions.ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"]


def check(name, ok, detail, required=True):
    global failed
    failed |= required and not ok
    print(f"{'PASS' if ok else 'FAIL' if required else 'GAP '}  {name}: {detail}")


def read(key):
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


k = f"{run}/put"
s3.put_object(Bucket=BUCKET, Key=k, Body=b"first")
st = status(lambda: s3.put_object(Bucket=BUCKET, Key=k, Body=b"second", IfNoneMatch="*"))
check("PutObject If-None-Match", st == 412 and read(k) == b"first", f"status {st}, content {read(k)!r}")

k = f"{run}/mpu"
s3.put_object(Bucket=BUCKET, Key=k, Body=b"first")
u = s3.create_multipart_upload(Bucket=BUCKET, Key=k)["UploadId"]
etag = s3.upload_part(Bucket=BUCKET, Key=k, UploadId=u, PartNumber=1, Body=b"second")["ETag"]
st = status(lambda: s3.complete_multipart_upload(Bucket=BUCKET, Key=k, UploadId=u, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}, IfNoneMatch="*"))
s3.abort_multipart_upload(Bucket=BUCKET, Key=k, UploadId=u)
check("CompleteMultipartUpload If-None-Match", st == 412 and read(k) == b"first", f"status {st}, content {read(k)!r}")

k = f"{run}/copy"
s3.put_object(Bucket=BUCKET, Key=k, Body=b"first")
s3.put_object(Bucket=BUCKET, Key=f"{k}-src", Body=b"second")
st = status(lambda: s3.copy_object(Bucket=BUCKET, Key=k, CopySource={"Bucket": BUCKET, "Key": f"{k}-src"}, IfNoneMatch="*"))
# not required: the FileIOs never rely on it (rename copies with a conditional multipart complete)
check("CopyObject If-None-Match", st == 412 and read(k) == b"first", f"status {st}, content {read(k)!r}", required=False)


def race(size, trials):
    bad = []
    for t in range(trials):
        key = f"/{BUCKET}/{run}/race-{size}-{t}"
        socks = []
        for i in range(16):
            s = socket.create_connection(("127.0.0.1", PORT))
            body = bytes([65 + i]) * size
            head = (f"PUT {key} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nContent-Length: {size}\r\nIf-None-Match: *\r\n"
                    f"Authorization: AWS4-HMAC-SHA256 Credential=verify/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0\r\n"
                    "Connection: close\r\n\r\n").encode()
            s.sendall(head + body[:-1])
            socks.append((s, body[-1:]))
        time.sleep(0.05)
        barrier, codes = threading.Barrier(16), [b""] * 16

        def go(i):
            s, last = socks[i]
            barrier.wait()
            s.sendall(last)
            reply = b""
            while b"\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
            codes[i] = reply.split(b" ")[1] if reply else b"?"
            s.close()

        threads = [threading.Thread(target=go, args=(i,)) for i in range(16)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if codes.count(b"200") != 1:
            bad.append(codes.count(b"200"))
    return bad


for size, trials in ((16, 30), (8_000_000, 5)):
    bad = race(size, trials)
    check(f"16 racing conditional PUTs, {size} bytes", not bad, f"{trials - len(bad)}/{trials} trials with exactly one 200" + (f"; winners in bad trials: {bad}" if bad else ""))

sys.exit(1 if failed else 0)
