"""A client of the discovery service written the way the official Python client works: grpcio
over a plaintext HTTP/2 channel, a new channel for every call, pages of 100 followed until the
token is empty (at most 100 pages, one 30-second deadline for the whole listing), errors read
from the AIP-193 details in grpc-status-details-bin.

Messages come from the descriptor set of the project's .proto files (no generated Python).
Usage: python3 grpcio_client.py DESCRIPTORS.binpb HOST:PORT [TOKEN]; prints one JSON object.
"""
import json
import sys
import time

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

descriptors, target = sys.argv[1], sys.argv[2]
token = sys.argv[3] if len(sys.argv) > 3 else None

files = descriptor_pb2.FileDescriptorSet()
with open(descriptors, "rb") as f:
    files.ParseFromString(f.read())
pool = descriptor_pool.DescriptorPool()
for proto in files.file:
    pool.Add(proto)
if hasattr(message_factory, "GetMessageClass"):  # protobuf 4.22 and later
    M = lambda name: message_factory.GetMessageClass(pool.FindMessageTypeByName(name))
else:  # Debian bookworm's protobuf 4.21
    factory = message_factory.MessageFactory(pool)
    M = lambda name: factory.GetPrototype(pool.FindMessageTypeByName(name))
SERVICE = "/coreweave.sandbox.v1beta2.DiscoveryService/"
FULL = 2


def call(method, request, response, deadline=None):
    """One call on a channel of its own, closed afterwards, as the reference client does."""
    metadata = [("authorization", f"Bearer {token}")] if token else None
    with grpc.insecure_channel(target, options=[("grpc.max_receive_message_length", 100 * 2**20)]) as channel:
        stub = channel.unary_unary(SERVICE + method, request_serializer=lambda m: m.SerializeToString(), response_deserializer=M(response).FromString)
        timeout = None if deadline is None else max(0.001, deadline - time.monotonic())
        return stub(request, metadata=metadata, timeout=timeout)


def error_of(e):
    """The status code and the ErrorInfo / BadRequest of a failed call."""
    out = {"code": e.code().name, "message": e.details()}
    for key, value in e.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = M("google.rpc.Status").FromString(value)
            for any_ in status.details:
                name = any_.type_url.split("/")[-1]
                detail = M(name).FromString(any_.value)
                out[name] = json_format.MessageToDict(detail, preserving_proto_field_name=True)
    return out


def list_runners(**filters):
    deadline = time.monotonic() + 30
    runners, page_token, pages = [], "", 0
    while True:
        pages += 1
        if pages > 100:
            raise RuntimeError("more than 100 pages")
        request = M("coreweave.sandbox.v1beta2.ListAvailableRunnersRequest")(page_size=100, page_token=page_token, **filters)
        response = call("ListAvailableRunners", request, "coreweave.sandbox.v1beta2.ListAvailableRunnersResponse", deadline)
        runners.extend(response.runners)
        if not response.next_page_token:
            return runners, pages
        if response.next_page_token == page_token:
            raise RuntimeError("repeated page token")
        page_token = response.next_page_token


def runner_dict(r):
    return {
        "runner_id": r.runner_id,
        "healthy": r.healthy,
        "max_cpu_millicores": r.capabilities.max_cpu_millicores,
        "has_resources": r.HasField("resources"),
        "available_cpu_millicores": r.resources.available_cpu_millicores if r.HasField("resources") else None,
        "connected_at": r.connected_at.ToJsonString(),
        "is_shared": r.is_shared,
    }


result = {}
started = time.monotonic()
full, pages = list_runners(view=FULL)
result["full"] = [runner_dict(r) for r in full]
result["pages"] = pages
result["seconds"] = time.monotonic() - started
basic, _ = list_runners(gpu_type="H100", healthy_only=True)
result["basic_h100_healthy"] = [runner_dict(r) for r in basic]
one = call("GetAvailableRunner", M("coreweave.sandbox.v1beta2.GetAvailableRunnerRequest")(runner_id=full[5].runner_id, view=FULL), "coreweave.sandbox.v1beta2.AvailableRunner")
result["get"] = runner_dict(one)
profile = call("GetProfile", M("coreweave.sandbox.v1beta2.GetProfileRequest")(profile_name="default"), "coreweave.sandbox.v1beta2.ProfileSummary")
result["profile"] = json_format.MessageToDict(profile, preserving_proto_field_name=True)
for name, method, request, response in [
    ("runner_not_found", "GetAvailableRunner", M("coreweave.sandbox.v1beta2.GetAvailableRunnerRequest")(runner_id="ghost"), "coreweave.sandbox.v1beta2.AvailableRunner"),
    ("profile_not_found", "GetProfile", M("coreweave.sandbox.v1beta2.GetProfileRequest")(profile_name="default", runner_id="ghost"), "coreweave.sandbox.v1beta2.ProfileSummary"),
    ("bad_page_size", "ListAvailableRunners", M("coreweave.sandbox.v1beta2.ListAvailableRunnersRequest")(page_size=-1), "coreweave.sandbox.v1beta2.ListAvailableRunnersResponse"),
]:
    try:
        call(method, request, response)
        result[name] = None
    except grpc.RpcError as e:
        result[name] = error_of(e)
print(json.dumps(result))
