// A Goka word-count processor under broker loss: one group reads -input (key = word, value = the
// record's sequence number within its word) and keeps, per word, "<count> <last sequence>" in its
// group table, as a long-running service would. It runs until -duration has passed or Goka's
// Run returns, and prints one JSON summary line: whether the processor stopped on its own (and
// with which error), records processed, records whose sequence was not after the word's last
// applied one (applied twice), and the longest wall-clock gap between processed records once
// processing had started. Goka's defaults are kept (sarama.V2_0_0_0 in its DefaultConfig, no
// restart loop), except that the table is replicated 3 times, as on any real 3-broker cluster.
// Built by bench/incidents/run.ts from go.mod (the current Goka release, from the module proxy).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"
	"github.com/lovoo/goka/storage"
)

type summary struct {
	Stopped      bool   `json:"stopped"`
	StoppedAtMs  int64  `json:"stoppedAtMs"`
	Error        string `json:"error"`
	Processed    int    `json:"processed"`
	AppliedTwice int    `json:"appliedTwice"`
	LongestGapMs int64  `json:"longestGapMs"`
}

type tracker struct {
	mu      sync.Mutex
	s       summary
	start   time.Time
	lastAt  time.Time
	started bool
}

func (t *tracker) processed(twice bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if t.started {
		if gap := now.Sub(t.lastAt).Milliseconds(); gap > t.s.LongestGapMs {
			t.s.LongestGapMs = gap
		}
	}
	t.started = true
	t.lastAt = now
	t.s.Processed++
	if twice {
		t.s.AppliedTwice++
	}
}

// entry is the table value: how many records of the word were applied, and the last sequence.
func parseEntry(v interface{}) (count, last int64) {
	if v == nil {
		return 0, 0
	}
	parts := strings.Fields(v.(string))
	if len(parts) != 2 {
		return 0, 0
	}
	count, _ = strconv.ParseInt(parts[0], 10, 64)
	last, _ = strconv.ParseInt(parts[1], 10, 64)
	return count, last
}

func main() {
	bootstrap := flag.String("bootstrap", "", "host:port,...")
	input := flag.String("input", "", "input topic")
	group := flag.String("group", "", "processor group (the table is <group>-table)")
	duration := flag.Duration("duration", 40*time.Second, "how long to run")
	// Goka keeps its tables in local storage (/tmp/goka by default) across runs; a cache left by an
	// earlier run on another cluster makes it refuse to start ("our cache has one"), so each run
	// gets a fresh directory from the bench.
	storagePath := flag.String("storage", "", "directory for the processor's local table storage")
	flag.Parse()

	config := goka.DefaultConfig()
	config.Consumer.Offsets.Initial = sarama.OffsetOldest
	goka.ReplaceGlobalConfig(config)
	tmc := goka.NewTopicManagerConfig()
	tmc.Table.Replication = 3
	tmc.Stream.Replication = 3

	t := &tracker{start: time.Now()}
	cb := func(ctx goka.Context, msg interface{}) {
		seq, _ := strconv.ParseInt(msg.(string), 10, 64)
		count, last := parseEntry(ctx.Value())
		ctx.SetValue(fmt.Sprintf("%d %d", count+1, seq))
		t.processed(seq <= last)
	}
	g := goka.DefineGroup(goka.Group(*group),
		goka.Input(goka.Stream(*input), new(codec.String), cb),
		goka.Persist(new(codec.String)),
	)
	brokers := strings.Split(*bootstrap, ",")
	p, err := goka.NewProcessor(brokers, g,
		goka.WithTopicManagerBuilder(goka.TopicManagerBuilderWithTopicManagerConfig(tmc)),
		goka.WithLogger(goka.DefaultLogger()),
		goka.WithStorageBuilder(storage.DefaultBuilder(*storagePath)),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot create the processor:", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	runErr := p.Run(ctx)
	t.mu.Lock()
	defer t.mu.Unlock()
	if ctx.Err() == nil {
		t.s.Stopped = true
		t.s.StoppedAtMs = time.Since(t.start).Milliseconds()
		if runErr != nil {
			t.s.Error = runErr.Error()
		}
	}
	out, _ := json.Marshal(t.s)
	fmt.Println(string(out))
}
