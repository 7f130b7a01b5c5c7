package dedup
import ("testing";"fmt")
func TestZZSubset(t *testing.T){
 all:=generate(t, 2, 20000, heldoutParams)
 keep:=map[int]bool{}
 for _,p:=range all{ if p.kind=="followup"{ keep[p.story]=true; var parent int; fmt.Sscan(p.edits[1], &parent); keep[parent]=true } }
 var pages []page
 for _,p:=range all{ if keep[p.story]{pages=append(pages,p)} }
 d:=New(Config{})
 pred,decs:=cluster(t,d,pages,shuffled(len(pages),1))
	byPred := map[int64][]int{}
	for i := range pages { byPred[pred[i]] = append(byPred[pred[i]], i) }
	for _, members := range byPred {
		stories := map[int]bool{}
		for _, i := range members { stories[pages[i].story] = true }
		if len(stories) > 1 {
			t.Logf("MERGED %d true stories in cluster %d:", len(stories), pred[members[0]])
			for _, i := range members { t.Logf("   page %d story %d %s %v: %s", i, pages[i].story, pages[i].kind, pages[i].edits, decs[i].Reason) }
			for _, i := range members { for _, j := range members { if i<j && pages[i].story!=pages[j].story { m:=d.Compare(pages[i].doc.Text,pages[j].doc.Text); if m.Verified {t.Logf("  %d~%d %s %v / %s %v: %s", i,j,pages[i].kind,pages[i].edits,pages[j].kind,pages[j].edits,m.Why)}}}}
		}
	}
}
