"""The benchmark's configuration, read from the environment once, in main."""

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
import registry_token  # noqa: E402


@dataclass(frozen=True)
class Settings:
    """Where everything runs and how much load each measurement applies."""
    data: Path
    bin: Path
    secret: str
    postgres_port: int
    kafka: str
    ingest_port: int
    projector_port: int
    images: int = 10000
    scaled_images: int = 1000000
    seconds: int = 10
    rebuild_events: int = 1000000
    upload_rounds: int = 5
    connections: int = 32
    root: Path = field(default=ROOT)

    @staticmethod
    def from_environment(environment=os.environ):
        """The settings scripts/bench exports; BENCH_* sizes are optional."""
        return Settings(
            data=Path(environment["BENCH_DATA"]), bin=Path(environment["BENCH_BIN"]),
            secret=environment["IMAGE_REGISTRY_JWT_SECRET"],
            postgres_port=int(environment["BENCH_POSTGRES_PORT"]),
            kafka=f"127.0.0.1:{environment['BENCH_KAFKA_PORT']}",
            ingest_port=int(environment["BENCH_INGEST_PORT"]),
            projector_port=int(environment["BENCH_PROJECTOR_PORT"]),
            images=int(environment.get("BENCH_IMAGES", "10000")),
            scaled_images=int(environment.get("BENCH_SCALED_IMAGES", "1000000")),
            seconds=int(environment.get("BENCH_SECONDS", "10")),
            rebuild_events=int(environment.get("BENCH_REBUILD_EVENTS", "1000000")),
            upload_rounds=int(environment.get("BENCH_UPLOAD_ROUNDS", "5")))

    @property
    def ingest(self):
        return f"http://127.0.0.1:{self.ingest_port}"

    @property
    def projector(self):
        return f"http://127.0.0.1:{self.projector_port}"

    def token(self, user, scopes):
        return registry_token.token(self.secret, user, scopes)

    @property
    def writer(self):
        return self.token("bench", ["image:write", "image:read"])

    @property
    def registrar(self):
        """Registering a location the registry has not checked (s3://) is an
        administrator's act; the registration load measures that path."""
        return self.token("bench", ["image:write", "image:read", "registry:admin"])

    @property
    def reader(self):
        return self.token("bench", ["image:read", "image:resolve"])
