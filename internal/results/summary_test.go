package results

import "testing"

func TestTotal(t *testing.T) {
	warm, cold := true, false
	got := Total([]ServerAccount{
		{GPUs: 4, StartS: 60, MeasuringS: 100, StoppingS: 2, OtherS: 8, HeldS: 170, GPUSeconds: 680, CacheWarm: &cold, Points: 3},
		{GPUs: 1, StartS: 20, WarmupS: 5, MeasuringS: 100, HeldS: 125, GPUSeconds: 125, CacheWarm: &warm, Points: 3},
		{GPUs: 1, StartS: 1, HeldS: 1, GPUSeconds: 1}, // no cache kept
	})
	want := AccountTotals{
		Starts: 3, WarmStarts: 1, StartS: 81, WarmupS: 5, MeasuringS: 200, StoppingS: 2, OtherS: 8, HeldS: 296,
		GPUSeconds: 806, StartGPUSeconds: 4*60 + 20 + 1, MeasuringGPUSeconds: 4*100 + 100, Points: 6,
	}
	if got != want {
		t.Errorf("Total = %+v\nwant    %+v", got, want)
	}
	if NewAccounting(nil) != nil {
		t.Error("NewAccounting(nil) is not nil: a directory with no start would carry an empty accounting")
	}
}

func TestCompleteAfterEarlyStop(t *testing.T) {
	f := &File{NumPrompts: 400, Completed: 118, Failed: 2}
	f.VllmBench.Point.NumPrompts = 400
	if f.Complete() {
		t.Error("120 of 400 without an early stop counts as complete")
	}
	f.VllmBench.EarlyStop = &EarlyStop{Precision: 0.02, MinPrompts: 50, Sent: []int{120}}
	if !f.Complete() {
		t.Error("120 sent and 120 recorded after an early stop is not complete")
	}
	f.Completed = 100
	if f.Complete() {
		t.Error("100 of 120 sent counts as complete")
	}
	if !f.VllmBench.EarlyStop.Stopped(400) || f.VllmBench.EarlyStop.Stopped(120) {
		t.Error("Stopped disagrees with what was sent")
	}
}
