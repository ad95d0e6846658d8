package pagerduty

import (
	"context"
	"testing"
	"time"

	"github.com/influxdata/flux/interpreter"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/internal/event"
)

// benchRecord is what a typical mapFn returns for one row (and what
// sendEvent's arguments hold): a trigger with a time stamp and three
// custom details. The routing key is a placeholder.
func benchRecord() values.Object {
	str := values.NewString
	return values.NewObjectWithValues(map[string]values.Value{
		argRoutingKey:  str("00000000000000000000000000000000"),
		argClient:      str("fluxpd"),
		argClientURL:   str("https://monitoring.example.com"),
		argClass:       str("disk"),
		argGroup:       str("databases"),
		argSeverity:    str("critical"),
		argEventAction: str("trigger"),
		argSource:      str("db01.example.com"),
		argComponent:   str("postgres"),
		argSummary:     str("Disk usage at 97% on db01.example.com"),
		argDedupKey:    str("db01.example.com/disk"),
		argTimestamp:   values.NewTime(values.ConvertTime(time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC))),
		argCustomDetails: values.NewObjectWithValues(map[string]values.Value{
			"used_percent": values.NewFloat(97.3),
			"mount":        str("/var/lib/postgresql"),
			"checked":      values.NewTime(values.ConvertTime(time.Date(2024, 5, 6, 7, 8, 0, 0, time.UTC))),
		}),
	})
}

// BenchmarkReadEvent is the conversion of Flux values into event.Input,
// as sendEvent's arguments and endpoint's mapFn records go through it.
func BenchmarkReadEvent(b *testing.B) {
	rec := benchRecord()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readEvent(rec.Get); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrepareEvent is all the per-event work of the native path but
// the HTTP request: conversion, validation and JSON encoding.
func BenchmarkPrepareEvent(b *testing.B) {
	rec := benchRecord()
	b.ReportAllocs()
	for b.Loop() {
		in, err := readEvent(rec.Get)
		if err != nil {
			b.Fatal(err)
		}
		ev, _, err := event.Build(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := event.Encode(ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadArguments is the reading of sendEvent's arguments from the
// call's record, as Flux's interpreter.DoFunctionCallContext would and as
// callReadingAll does; both read the event and its URL.
func BenchmarkReadArguments(b *testing.B) {
	rec := benchRecord()
	read := func(_ context.Context, get fields) (values.Value, error) {
		if _, err := readEvent(get); err != nil {
			return nil, err
		}
		if _, err := readURL(get, DefaultURL, DefaultURL); err != nil {
			return nil, err
		}
		return values.NewInt(202), nil
	}
	b.Run("DoFunctionCall", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := interpreter.DoFunctionCallContext(func(ctx context.Context, a interpreter.Arguments) (values.Value, error) {
				return read(ctx, a.Get)
			}, context.Background(), rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("callReadingAll", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := callReadingAll(context.Background(), rec, sendEventParam, read); err != nil {
				b.Fatal(err)
			}
		}
	})
}
