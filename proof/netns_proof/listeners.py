"""Where each generated program listens (netns_matrix.py): by image defaults, --host/--port
flags, NIM and Ollama environment, as the compose files and scripts of the tree start them.
"""
import ipaddress
import re


# Ollama's image (ollama/ollama, any tag) and the OLLAMA_HOST its Dockerfile sets.
OLLAMA_IMAGE = re.compile(r"^(?:docker\.io/)?ollama/")
OLLAMA_IMAGE_HOST = "0.0.0.0:11434"

# Programs that take --host/--port, by image: where each listens when the command does not
# say (the image's own settings included), and the environment variables it also reads.
#   llama.cpp's server images run llama-server and set LLAMA_ARG_HOST=0.0.0.0 (the binary
#     alone would bind 127.0.0.1); llama-server reads LLAMA_ARG_HOST/LLAMA_ARG_PORT, and
#     a command-line flag wins over them; its port defaults to 8080.
#   vLLM's images (`vllm serve`): --host unset binds every address; port 8000.
#   LiteLLM's images run `litellm "$@"` with CMD `--port 4000`: --host defaults to 0.0.0.0.
IMAGE_DEFAULTS = (
    (re.compile(r"^(?:[^/]+/)*llama\.cpp(?:[:@]|$)"), "0.0.0.0", 8080, "LLAMA_ARG_HOST", "LLAMA_ARG_PORT"),
    (re.compile(r"^(?:[^/]+/)*vllm-openai(?:-rocm)?(?:[:@]|$)"), "0.0.0.0", 8000, None, None),
    (re.compile(r"^(?:[^/]+/)*berriai/litellm(?:-[a-z0-9_]+)?(?:[:@]|$)"), "0.0.0.0", 4000, None, None),
)


# NVIDIA's NIM images (nvcr.io/nim/<org>/<name>): the server binds every address, HTTP on
# NIM_HTTP_API_PORT and gRPC on NIM_GRPC_API_PORT (a Speech NIM's defaults: 9000 and 50051).
NIM_IMAGE = re.compile(r"^nvcr\.io/nim/")
NIM_PORTS = (("NIM_HTTP_API_PORT", 9000), ("NIM_GRPC_API_PORT", 50051))


# Triton's own ports inside a Speech NIM (NVIDIA's runtime parameters: 8000, 8001, 8002); on the
# host network they are the node's ports, on every address.
NIM_TRITON_PORTS = (8000, 8001, 8002)


def nim_listeners(environment):
    """(bind, port) of a NIM container: every address, on its HTTP and gRPC ports and Triton's."""
    ports = [int(environment.get(variable, default)) for variable, default in NIM_PORTS] + list(NIM_TRITON_PORTS)
    return [("0.0.0.0", port) for port in ports]


def image_defaults(image):
    return next((defaults[1:] for defaults in IMAGE_DEFAULTS if defaults[0].match(image)), None)


def flag_values(words):
    """{--name: value} of --name value and --name=value words."""
    found = {}
    for index, word in enumerate(words):
        if word.startswith("--") and "=" in word:
            name, _, value = word.partition("=")
            found[name] = value
        elif word.startswith("--") and index + 1 < len(words):
            found[word] = words[index + 1]
    return found


def listen_flags(what, image, words, environment):
    """(bind, port) of a program that takes --host and --port: a missing --host is every
    address (or what the image's environment says), a missing --port the program's default.
    An unknown program without --port cannot be modeled: that fails the run."""
    flags = flag_values(words)
    defaults = image_defaults(image) or ("0.0.0.0", None, None, None)
    bind, port, host_variable, port_variable = defaults
    if host_variable and host_variable in environment:
        bind = environment[host_variable]
    if port_variable and port_variable in environment:
        port = int(environment[port_variable])
    bind = flags.get("--host", bind)
    port = int(flags["--port"]) if "--port" in flags else port
    if port is None:
        raise RuntimeError(f"{what}: --host without --port, and no known default port for image {image!r}")
    return bind, port


def ollama_listen(value):
    """(bind, port) of an OLLAMA_HOST value, as Ollama's envconfig reads it: an optional
    scheme (http:// makes the default port 80, https:// 443, none 11434), host:port, a bare
    address taking the default port, and an empty host meaning every address."""
    value = value.strip().strip("\"'").strip()
    scheme, separator, hostport = value.partition("://")
    default_port = 11434
    if not separator:
        hostport = value
    elif scheme == "http":
        default_port = 80
    elif scheme == "https":
        default_port = 443
    hostport = hostport.split("/", 1)[0]
    match = re.fullmatch(r"\[([^\]]*)\]:(\d*)|([^:\[\]]*):(\d*)", hostport)
    if match:
        host = match.group(1) if match.group(1) is not None else match.group(3)
        port = match.group(2) if match.group(1) is not None else match.group(4)
    else:
        host, port = hostport.strip("[]") or "127.0.0.1", ""
    port = int(port) if port.isdigit() and int(port) <= 65535 else default_port
    if host == "":
        host = "0.0.0.0"
    elif host == "localhost":
        host = "127.0.0.1"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise RuntimeError(f"OLLAMA_HOST={value!r}: host {host!r} is a name; only addresses are modeled")
    return host, port
