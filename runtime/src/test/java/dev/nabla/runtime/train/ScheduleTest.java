package dev.nabla.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScheduleTest {

  @Test
  void constantKeepsTheRate() {
    assertEquals(0.1, Schedule.parse("constant").rate(0.1, 7, 3, 10, 9));
  }

  @Test
  void stepDecayHalvesEveryTwoEpochs() {
    Schedule schedule = Schedule.parse("step:2:0.5");
    assertEquals(0.4, schedule.rate(0.4, 0, 0, 10, 6));
    assertEquals(0.4, schedule.rate(0.4, 1, 9, 10, 6));
    assertEquals(0.2, schedule.rate(0.4, 2, 0, 10, 6));
    assertEquals(0.1, schedule.rate(0.4, 5, 0, 10, 6));
  }

  @Test
  void cosineGoesFromTheBaseToTheMinimumAtTheLastStep() {
    Schedule schedule = Schedule.parse("cosine:0.1");
    assertEquals(1.0, schedule.rate(1.0, 0, 0, 10, 3), 1e-12);
    assertEquals(0.55, schedule.rate(1.0, 0, 5, 11, 1), 1e-12);
    assertEquals(0.1, schedule.rate(1.0, 2, 9, 10, 3), 1e-12);
  }

  @Test
  void unknownSchedulesSayWhatIsAccepted() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.parse("linear"));
    assertTrue(e.getMessage().startsWith("unknown schedule 'linear': expected constant, step:EVERY:FACTOR"));
    assertEquals(new Schedule.StepDecay(3, 0.1), Schedule.parse(new Schedule.StepDecay(3, 0.1).describe()));
  }
}
