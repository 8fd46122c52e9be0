package target

import (
	"slices"
	"testing"
)

func TestOrderAlternates(t *testing.T) {
	specs := []Spec{{Name: Sessiond}, {Name: Redis}}
	names := func(ss []Spec) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.Name)
		}
		return out
	}
	if got := names(Order(0, specs)); !slices.Equal(got, []string{Sessiond, Redis}) {
		t.Fatalf("rep 0: %v", got)
	}
	if got := names(Order(1, specs)); !slices.Equal(got, []string{Redis, Sessiond}) {
		t.Fatalf("rep 1: %v", got)
	}
	if specs[0].Name != Sessiond {
		t.Fatal("Order changed its argument")
	}
}

func TestSpecsValidation(t *testing.T) {
	o := &Options{RedisBin: "redis-server", Target2: Redis}
	specs, err := o.Specs()
	if err != nil {
		t.Fatal(err)
	}
	if specs[0].Name != Sessiond || specs[0].Bin != "redis-server" || specs[1].Name != Redis {
		t.Fatalf("got %+v", specs)
	}
	o.Target2 = "memcached"
	if _, err := o.Specs(); err == nil {
		t.Fatal("unknown --target2 accepted")
	}
}
