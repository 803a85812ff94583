// Sarama's ClusterAdmin under a group-coordinator move: one admin, created once, calls
// ListConsumerGroupOffsets every -interval until -duration has passed, as a long-running service
// would, and prints one JSON summary line: calls, failures, the longest time without a correct
// answer, whether it answered correctly again at the end, and the errors seen. Built by
// bench/incidents/run.ts against two Sarama releases (go.mod: current; go.1.43.mod: the last
// release before the coordinator-refresh fix of 1.45.0).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

type summary struct {
	Calls         int            `json:"calls"`
	Failed        int            `json:"failed"`
	Wrong         int            `json:"wrong"`
	LongestGapMs  int64          `json:"longestGapMs"`
	RecoveredAtMs int64          `json:"recoveredAtMs"`
	EndedOk       bool           `json:"endedOk"`
	Errors        map[string]int `json:"errors"`
}

func main() {
	bootstrap := flag.String("bootstrap", "", "host:port,...")
	group := flag.String("group", "", "consumer group")
	topic := flag.String("topic", "", "topic")
	partitions := flag.Int("partitions", 3, "partitions 0..n-1")
	expect := flag.String("expect", "", "expected offsets, comma-separated, per partition")
	interval := flag.Duration("interval", 50*time.Millisecond, "time between calls")
	duration := flag.Duration("duration", 30*time.Second, "how long to run")
	flag.Parse()

	config := sarama.NewConfig()
	config.ClientID = "incident-sarama"
	admin, err := sarama.NewClusterAdmin(strings.Split(*bootstrap, ","), config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot create the admin:", err)
		os.Exit(2)
	}
	defer admin.Close()

	ps := make([]int32, *partitions)
	for i := range ps {
		ps[i] = int32(i)
	}
	want := strings.Split(*expect, ",")
	s := summary{Errors: map[string]int{}}
	start := time.Now()
	lastOk := start
	for time.Since(start) < *duration {
		s.Calls++
		resp, err := admin.ListConsumerGroupOffsets(*group, map[string][]int32{*topic: ps})
		ok := err == nil
		if err != nil {
			s.Failed++
			s.Errors[err.Error()]++
		} else {
			for i, p := range ps {
				block := resp.GetBlock(*topic, p)
				if block == nil || block.Err != sarama.ErrNoError || fmt.Sprint(block.Offset) != want[i] {
					ok = false
				}
			}
			if !ok {
				s.Wrong++
				s.Errors["answer with wrong or missing offsets"]++
			}
		}
		now := time.Now()
		if ok {
			if gap := now.Sub(lastOk).Milliseconds(); gap > s.LongestGapMs {
				s.LongestGapMs = gap
				s.RecoveredAtMs = now.Sub(start).Milliseconds()
			}
			lastOk = now
		}
		s.EndedOk = ok
		time.Sleep(*interval)
	}
	if gap := time.Since(lastOk).Milliseconds(); gap > s.LongestGapMs {
		s.LongestGapMs = gap
		s.RecoveredAtMs = -1
	}
	out, _ := json.Marshal(s)
	fmt.Println(string(out))
}
