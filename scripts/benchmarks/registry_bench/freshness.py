"""From the ingest's acknowledgement to visible in a lookup, against the
broker's own produce-to-consume latency."""

import statistics
import time

import requests

from .load import registration


def percentiles(latencies):
    latencies = sorted(latencies)
    return statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]


def measure_broker_latency(s, results, samples=200):
    """The broker's own produce-to-consume latency: one record at a time, from
    produce to consumed, with the projector's acknowledgement and fetch
    settings (librdkafka from the confluent-kafka wheel)."""
    from confluent_kafka import Consumer, Producer, TopicPartition

    topic = "bench-latency"
    producer = Producer({"bootstrap.servers": s.kafka, "acks": "all", "enable.idempotence": True, "linger.ms": 0})
    delivered = []
    producer.produce(topic, b"start", partition=0, on_delivery=lambda error, message: delivered.append(message))
    producer.flush(30)
    if not delivered or delivered[0].error():
        raise RuntimeError(f"the latency topic could not be written: {delivered}")
    consumer = Consumer({"bootstrap.servers": s.kafka, "group.id": "bench-latency", "enable.auto.commit": False,
                         "fetch.wait.max.ms": 100})
    consumer.assign([TopicPartition(topic, 0, delivered[0].offset() + 1)])
    latencies = []
    try:
        for index in range(samples):
            payload = f"sample{index}".encode()
            sent = time.perf_counter()
            producer.produce(topic, payload, partition=0)
            producer.poll(0)
            while True:
                message = consumer.poll(10)
                if message is None:
                    raise RuntimeError(f"sample {index} was not consumed within 10 s")
                if not message.error() and message.value() == payload:
                    break
            latencies.append((time.perf_counter() - sent) * 1000)
            producer.flush(10)
    finally:
        consumer.close()
    results["freshness"]["broker_p50_ms"], results["freshness"]["broker_p99_ms"] = percentiles(latencies)


def measure(s, results, samples=200):
    """From ingest acknowledgement to visible in GET /v1/resolve."""
    measure_broker_latency(s, results)
    session = requests.Session()
    latencies = []
    for index in range(samples):
        name = f"fresh{index}"
        session.post(f"{s.ingest}/v1/images", json=registration(name, index),
                     headers={"Authorization": f"Bearer {s.registrar}"}, timeout=30).raise_for_status()
        acknowledged = time.perf_counter()
        while session.get(f"{s.projector}/v1/resolve", params={"driver": "qemu", "image": name, "user": "bench"},
                          headers={"Authorization": f"Bearer {s.reader}"}, timeout=30).status_code != 200:
            if time.perf_counter() - acknowledged > 30:
                raise RuntimeError(f"{name} was not resolvable 30 s after its acknowledgement")
        latencies.append((time.perf_counter() - acknowledged) * 1000)
    results["freshness"]["p50_ms"], results["freshness"]["p99_ms"] = percentiles(latencies)
